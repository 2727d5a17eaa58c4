import { countDown } from '../allocator/free-runs.js'
import { SEGMENT_SLOTS, SLOT_SHIFT, SLOT_SIZE } from '../allocator/layout.js'

/**
 * The slot search and release over plain typed arrays, for the shared pool: the same free-run counter
 * as pool.ts (`list[i]`: free slots from i to the end of its segment, 0 when used), the same first fit
 * from the area's cursor, the same alignment rules. It has no per-segment bound (pool.ts's #longest):
 * that array would need the area lock on every release to stay right, and the shared pool's areas are
 * small enough that a scan of one is cheap.
 *
 * TODO(merge): pool.ts's search loop is being rewritten for kernel exactness; once it is a function
 * over typed arrays, this file and it should become one (test/shared/shared-model.test.ts checks that
 * both allocators place every mapping at the same address).
 */

/**
 * swiotlb_area_find_slots, without the lock (the caller holds the area's): finds `nslots` free
 * contiguous slots among `areaNslabs` slots from `base`, starting at `cursor` (relative to `base`) and
 * wrapping once. `alignMask` (at least 2047) aligns the first slot's address; the address bits in
 * `matchMask` must equal those of `origAddr`. `startLow` is the pool's start address modulo 2^30.
 * Returns the first slot, or -1.
 */
export function searchArea(
  list: Uint8Array,
  base: number,
  areaNslabs: number,
  cursor: number,
  nslots: number,
  alignMask: number,
  matchMask: number,
  origAddr: number,
  startLow: number,
): number {
  const checkAlign = alignMask !== SLOT_SIZE - 1 || matchMask !== 0
  // get_max_slots of the larger mask: slots that cannot be aligned are stepped over.
  const strideMask = Math.max(alignMask, matchMask)
  const stride = strideMask < SLOT_SIZE ? 1 : (strideMask + 1) >>> SLOT_SHIFT
  const wantBits = origAddr & matchMask
  let index = cursor
  for (let checked = 0; checked < areaNslabs; ) {
    const slot = base + index
    if (checkAlign) {
      const low = startLow + (slot << SLOT_SHIFT)
      if ((low & alignMask) !== 0 || (low & matchMask) !== wantBits) {
        index = index + 1 >= areaNslabs ? 0 : index + 1
        checked++
        continue
      }
    }
    const free = list[slot]!
    if (free >= nslots) return slot
    // No slot inside a free run too short can fit (their counters are smaller still).
    const step = free > stride ? free : stride
    index = index + step >= areaNslabs ? 0 : index + step
    checked += step
  }
  return -1
}

/** Marks `nslots` slots from `slot` used and renumbers the free run before them. */
export function takeSlots(list: Uint8Array, words: Uint32Array, slot: number, nslots: number): void {
  list.fill(0, slot, slot + nslots)
  countDown(list, words, slot - 1, slot - (slot % SEGMENT_SLOTS), 0, true)
}

/**
 * swiotlb_release_slots, without the lock: frees `nslots` slots from `slot`, merging them with the
 * free runs after and before them within the segment.
 */
export function releaseSlots(
  list: Uint8Array,
  words: Uint32Array,
  nslabs: number,
  slot: number,
  nslots: number,
): void {
  const end = slot + nslots
  let count = end % SEGMENT_SLOTS !== 0 && end < nslabs ? list[end]! : 0
  count = countDown(list, words, end - 1, slot, count, false)
  countDown(list, words, slot - 1, slot - (slot % SEGMENT_SLOTS), count, true)
}

/** Initial counters: each slot's distance to the end of its segment (swiotlb_init_io_tlb_pool). */
export function initList(list: Uint8Array): void {
  for (let i = 0; i < list.length; i++) list[i] = SEGMENT_SLOTS - (i % SEGMENT_SLOTS)
}

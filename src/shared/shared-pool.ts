import { SLOT_SHIFT, SLOT_SIZE } from '../allocator/layout.js'
import { HiwaterCounter } from './hiwater.js'
import {
  A_GENERATION,
  A_HIWATER,
  A_INDEX,
  A_LOCK,
  A_USED,
  areaAt,
  BATCHED_COUNT,
  BATCHED_HIWATER,
  C_BATCH,
  C_HIWATER_MODE,
  EXACT_HIWATER,
  EXACT_USED,
  MODE_BATCHED,
  MODE_EXACT,
  MODE_PER_AREA,
  MODE_SAMPLED,
  S_FIRST,
  S_GENERATION,
  S_SHAPE,
  S_SIZE,
  SAMPLED_HIWATER,
  type SharedViews,
  SLOT_WORDS,
  shape,
  shapeBlocking,
  shapeLow,
  shapeSlots,
} from './layout.js'
import { lock, unlock } from './lock.js'

/** Why a release refused; nothing changed. */
export type ReleaseRefusal = 'not-mapped' | 'size' | 'stale'

/**
 * One shared pool's allocator, as seen from one thread: the kernel's swiotlb_find_slots and
 * swiotlb_release_slots over the shared buffers, each area under its own lock. The slot search and
 * release are the single-threaded Pool's own (SlotTable, over the shared list buffer); the areas'
 * cursors and counts live in `meta`.
 *
 * The record of a mapping sits in the slot holding its address (`slots`, 4 words): its size, first
 * slot, slot count, whether it counts against the blocking budget, and a generation that tells a
 * mapping from a later one at the same address. The kernel keeps orig_addr and alloc_size in every
 * slot instead; one record is all an unmap by address needs.
 */
export class SharedPool {
  readonly hiwater: HiwaterCounter
  /** Generation of the last mapping `find` made. */
  lastGeneration = 0
  /** The result of the last `release`: slots freed, and whether they were blocking. */
  releasedSlots = 0
  releasedBlocking = false

  constructor(readonly views: SharedViews) {
    const meta = views.meta
    this.hiwater = new HiwaterCounter(meta, meta[C_HIWATER_MODE]!, meta[C_BATCH]!, views.nareas)
  }

  /**
   * swiotlb_pool_find_slots: `nslots` slots, starting in area `cpu & (nareas - 1)` and wrapping
   * through the others (masks as SlotTable.search takes them). Records a mapping of `sizeBytes` whose
   * address is `offset` bytes past the first slot. Returns the address's offset in the pool (bytes),
   * or -1 when no area has room.
   */
  find(
    cpu: number,
    nslots: number,
    alignMask: number,
    matchMask: number,
    origAddr: number,
    boundaryMask: number,
    sizeBytes: number,
    offset: number,
    blocking: boolean,
  ): number {
    const { meta, table, slots, nareas, areaNslabs } = this.views
    const first = cpu & (nareas - 1)
    let a = first
    do {
      const at = areaAt(a)
      lock(meta, at + A_LOCK)
      const used = meta[at + A_USED]!
      if (nslots <= areaNslabs - used) {
        const base = a * areaNslabs
        const cursor = meta[at + A_INDEX]!
        const slot = table.search(
          base,
          areaNslabs,
          cursor,
          nslots,
          alignMask,
          matchMask,
          origAddr,
          boundaryMask,
        )
        if (slot >= 0) {
          const index = slot - base + nslots
          meta[at + A_INDEX] = index >= areaNslabs ? 0 : index // wrap_area_index
          meta[at + A_USED] = used + nslots
          this.hiwater.mappedLocked(at, nslots, used + nslots)
          const generation = (meta[at + A_GENERATION]! + 1) | 0
          meta[at + A_GENERATION] = generation
          const addrOffset = (slot << SLOT_SHIFT) + offset
          const record = (addrOffset >>> SLOT_SHIFT) * SLOT_WORDS
          slots[record + S_SIZE] = sizeBytes
          slots[record + S_FIRST] = slot
          slots[record + S_SHAPE] = shape(nslots, blocking, addrOffset & (SLOT_SIZE - 1))
          slots[record + S_GENERATION] = generation
          unlock(meta, at + A_LOCK)
          this.hiwater.mapped(nslots)
          this.lastGeneration = generation
          return addrOffset
        }
      }
      unlock(meta, at + A_LOCK)
      a = a + 1 === nareas ? 0 : a + 1
    } while (a !== first)
    return -1
  }

  /**
   * swiotlb_release_slots for the mapping whose address is `addrOffset` bytes into the pool. With
   * `size` or `generation` at -1, that check is skipped; `copyBack` copies the bounce bytes back first
   * (a throw leaves everything as it was). Returns undefined when released (the slots
   * and blocking flag are in releasedSlots / releasedBlocking), or why it refused: nothing changed.
   */
  release(
    addrOffset: number,
    size: number,
    generation: number,
    copyBack: { copyBack(): void } | undefined,
  ): ReleaseRefusal | undefined {
    const { meta, table, slots } = this.views
    const record = this.#recordOf(addrOffset)
    if (record < 0) return 'not-mapped'
    const at = this.#areaOf(addrOffset)
    lock(meta, at + A_LOCK)
    const refusal =
      this.#mismatch(record, addrOffset, generation) ??
      (size !== -1 && size !== slots[record + S_SIZE] ? 'size' : undefined)
    if (refusal !== undefined) {
      unlock(meta, at + A_LOCK)
      return refusal
    }
    // The copy back runs under the lock, once the mapping is known to be the caller's: a mapping that
    // another thread unmapped by address, and a later one took over, is never copied from.
    if (copyBack !== undefined) {
      try {
        copyBack.copyBack()
      } catch (error) {
        unlock(meta, at + A_LOCK)
        throw error
      }
    }
    const s = slots[record + S_SHAPE]!
    const nslots = shapeSlots(s)
    table.release(slots[record + S_FIRST]!, nslots)
    slots[record + S_SIZE] = 0
    slots[record + S_SHAPE] = 0
    meta[at + A_USED] = meta[at + A_USED]! - nslots
    this.hiwater.unmappedLocked(at, nslots)
    unlock(meta, at + A_LOCK)
    this.hiwater.unmapped(nslots)
    this.releasedSlots = nslots
    this.releasedBlocking = shapeBlocking(s)
    return undefined
  }

  /**
   * Whether the mapping at `addrOffset` is still the one of `generation`, read without the area lock:
   * for a check whose answer the caller cannot hold on to anyway (a view of the bytes).
   */
  isLive(addrOffset: number, generation: number): boolean {
    const record = this.#recordOf(addrOffset)
    return record >= 0 && this.#mismatch(record, addrOffset, generation) === undefined
  }

  /**
   * Runs `fn` under the area lock while the mapping at `addrOffset` is still the one of `generation`
   * (a thread's own SharedMapping, which another thread may have unmapped by address, the slots then
   * going to a later mapping). False, and nothing run, once it is gone.
   */
  whileLive(addrOffset: number, generation: number, fn: () => void): boolean {
    const record = this.#recordOf(addrOffset)
    if (record < 0) return false
    const { meta } = this.views
    const at = this.#areaOf(addrOffset)
    lock(meta, at + A_LOCK)
    try {
      const live = this.#mismatch(record, addrOffset, generation) === undefined
      if (live) fn()
      return live
    } finally {
      unlock(meta, at + A_LOCK)
    }
  }

  /** The slot record of the mapping whose address is `addrOffset` into the pool; -1 outside it. */
  #recordOf(addrOffset: number): number {
    if (!(addrOffset >= 0 && addrOffset < this.views.nslabs * SLOT_SIZE)) return -1
    return (addrOffset >>> SLOT_SHIFT) * SLOT_WORDS
  }

  /** Where the lock and counts of the area holding `addrOffset` start in `meta`. */
  #areaOf(addrOffset: number): number {
    return areaAt(((addrOffset >>> SLOT_SHIFT) / this.views.areaNslabs) | 0)
  }

  /**
   * Why `record` is not the live mapping at `addrOffset` of `generation` (-1: any generation), or
   * undefined when it is. Exact under the area lock; a racy answer without it.
   */
  #mismatch(record: number, addrOffset: number, generation: number): 'not-mapped' | 'stale' | undefined {
    const slots = this.views.slots
    if (slots[record + S_SIZE] === 0 || shapeLow(slots[record + S_SHAPE]!) !== (addrOffset & (SLOT_SIZE - 1)))
      return 'not-mapped'
    if (generation !== -1 && slots[record + S_GENERATION] !== generation) return 'stale'
    return undefined
  }

  /** The size recorded for a live mapping at `addrOffset`, or 0. Racy outside the area lock. */
  sizeAt(addrOffset: number): number {
    return this.views.slots[(addrOffset >>> SLOT_SHIFT) * SLOT_WORDS + S_SIZE]!
  }

  /** Slots in use: the areas' counts added up (mem_used without the atomic). */
  used(): number {
    const { meta, nareas } = this.views
    let sum = 0
    for (let a = 0; a < nareas; a++) sum += Atomics.load(meta, areaAt(a) + A_USED)
    return sum
  }

  /** debugfs io_tlb_used_hiwater = 0: every mode's mark restarts from what is in use now. */
  resetHiwater(): void {
    const { meta, nareas } = this.views
    const mode = this.hiwater.mode
    if (mode === MODE_PER_AREA) {
      for (let a = 0; a < nareas; a++) {
        const at = areaAt(a)
        lock(meta, at + A_LOCK)
        meta[at + A_HIWATER] = meta[at + A_USED]!
        unlock(meta, at + A_LOCK)
      }
    } else if (mode === MODE_EXACT) Atomics.store(meta, EXACT_HIWATER, Atomics.load(meta, EXACT_USED))
    else if (mode === MODE_BATCHED) Atomics.store(meta, BATCHED_HIWATER, Atomics.load(meta, BATCHED_COUNT))
    else if (mode === MODE_SAMPLED) Atomics.store(meta, SAMPLED_HIWATER, this.used())
  }
}

import { Area } from './area.js'
import { renumber, renumberFree } from './free-runs.js'
import { boundarySlots, NO_ORIG_ADDR, SEGMENT_SLOTS, SLOT_SHIFT, SLOT_SIZE } from './layout.js'
import { LiveTable } from './live-table.js'

/** log2(SEGMENT_SLOTS): a slot's segment is `slot >>> SEGMENT_SHIFT`. */
const SEGMENT_SHIFT = 7

export type PoolKind = 'default' | 'dynamic' | 'transient'

/**
 * io_tlb_pool: a contiguous range of slots, split evenly into areas.
 *
 * Free space is the kernel's free-run counter (`list`): for a free slot, the number of free contiguous
 * slots from it to the end of its segment; 0 for a used slot. One byte per slot (values 0..128).
 *
 *   segment:  | s0 | s1 | s2 | s3 | s4 | ... | s127 |
 *   used:        .    X    X    .    .           .
 *   list:        1    0    0  125  124          1
 *
 * A request for n slots fits at slot i when list[i] >= n, so no mapping crosses a segment. Allocation
 * zeroes the run and renumbers the free slots before it; release renumbers the run and the free slots
 * before it, merging with the free run after it. Both touch at most one segment: O(128).
 *
 * `#longest` holds, per segment, an upper bound on its longest free run: release raises it to the run
 * it merged, and a search that leaves a segment without a fit lowers it to the exact value. A search
 * skips a segment whose bound is below the request, so a nearly full pool is not scanned slot by slot
 * on every failed request. It does so only where the scan would reach the segment's end exactly
 * (no match mask, alignment within a segment), so the slot found is the one the scan would find.
 * test/kernel-search.test.ts holds this search against a transcription of the kernel's loop.
 */
export class Pool {
  readonly list: Uint8Array
  /** The same memory as `list`, four slots per word (see free-runs.ts). */
  readonly #words: Uint32Array
  readonly #longest: Uint8Array
  readonly areas: Area[]
  readonly areaNslabs: number
  /** Slots in use in this pool. */
  used = 0
  /** Live mappings of this pool, found by address (see LiveTable). */
  readonly live: LiveTable<{ readonly offset: number }>
  /** Position in the allocator's search order (SwiotlbAllocator.pools); -1 for a transient pool. */
  position = -1
  /** Clock time at which the pool last became empty (for the shrinker). */
  emptySince: number
  /**
   * Whoever maps into this pool (the Swiotlb facade), opaque to the allocator: its mappings find their
   * owner through their pool instead of holding it each.
   */
  owner: unknown = undefined
  /** The low 30 bits of `start`: enough for every alignment mask, and small-integer arithmetic. */
  readonly #startLow: number

  constructor(
    readonly kind: PoolKind,
    /** Bus address of slot 0; a multiple of the page size. */
    readonly start: number,
    readonly nslabs: number,
    nareas: number,
    /** Backing memory (nslabs × 2048 bytes), or undefined for accounting only. */
    readonly memory: Uint8Array | undefined,
    now: number,
  ) {
    if (nareas > 1 && (nslabs / nareas) % SEGMENT_SLOTS !== 0) {
      throw new RangeError(`a pool of ${nslabs} slots cannot be split into ${nareas} areas of whole segments`)
    }
    this.list = new Uint8Array(nslabs)
    this.#words = new Uint32Array(this.list.buffer, 0, nslabs >>> 2)
    this.live = new LiveTable(nslabs)
    for (let i = 0; i < nslabs; i++) this.list[i] = Math.min(SEGMENT_SLOTS - (i % SEGMENT_SLOTS), nslabs - i)
    this.#longest = new Uint8Array(Math.ceil(nslabs / SEGMENT_SLOTS))
    for (let g = 0; g < this.#longest.length; g++) {
      this.#longest[g] = Math.min(SEGMENT_SLOTS, nslabs - g * SEGMENT_SLOTS)
    }
    this.areaNslabs = nslabs / nareas
    this.areas = []
    for (let a = 0; a < nareas; a++) this.areas.push(new Area(a * this.areaNslabs, this.areaNslabs))
    this.emptySince = now
    this.#startLow = start % 2 ** 30
  }

  get nareas(): number {
    return this.areas.length
  }

  /** One past the last byte of the pool. */
  get end(): number {
    return this.start + this.nslabs * SLOT_SIZE
  }

  /**
   * swiotlb_search_pool_area: finds `nslots` free contiguous slots in area `areaIndex`, starting at the
   * area's cursor, visiting the slots the kernel's loop visits in the order it visits them, so that it
   * finds the slot the kernel finds, or gives up where the kernel gives up. `alignMask` (at least 2047)
   * aligns the first slot's address; the address bits in `matchMask` must equal those of `origAddr`
   * (min_align_mask above the alignment), unless `origAddr` is NO_ORIG_ADDR (the kernel's orig_addr 0);
   * `boundaryMask` is the DMA segment boundary (0: none). Returns the first slot index in the pool, or -1.
   */
  search(
    areaIndex: number,
    nslots: number,
    alignMask: number,
    matchMask: number,
    origAddr: number,
    boundaryMask: number,
  ): number {
    const area = this.areas[areaIndex]!
    const areaNslabs = this.areaNslabs
    if (nslots > areaNslabs - area.used) return -1
    const list = this.list
    if (matchMask === 0 && boundaryMask === 0) {
      // The kernel's loop, first pass, without its set-up: with no match mask and no boundary, the slot
      // at the cursor is taken when it is aligned and its free run is long enough (its segment's bound
      // is then long enough too). Else the loop below starts from the same slot.
      const index = area.index
      const slot = area.base + index
      if (list[slot]! >= nslots && ((this.#startLow + (slot << SLOT_SHIFT)) & alignMask) === 0)
        return this.#takeAt(area, index, slot, nslots)
    }
    // tbl_dma_addr: the kernel aligns and matches `pool start & boundary mask` + slot offset. Only the
    // low bits matter to the masks: int32 arithmetic on the pool's low start bits (ToInt32 of a mask of
    // 2^31 or more bits is -1, all ones).
    const tbl = boundaryMask === 0 ? this.#startLow : this.#startLow & boundaryMask
    const base = area.base
    // get_max_slots(max(alloc_align_mask, iotlb_align_mask)), whatever the mask's shape: for matchMask
    // 0x800 (min_align_mask 0xfff) the stride is 2, for 0xf800 it is 32.
    const stride = ((alignMask > matchMask ? alignMask : matchMask) >>> SLOT_SHIFT) + 1
    // No original address: the kernel skips the min_align_mask comparison, the stride stays.
    const match = origAddr === NO_ORIG_ADDR ? 0 : matchMask
    const wantBits = origAddr & match
    const checkAlign = alignMask !== SLOT_SIZE - 1 || match !== 0
    // iommu_is_span_boundary, where a boundary can fall inside a segment (see boundarySlots).
    const span = boundarySlots(boundaryMask)
    const shift = span === 0 ? 0 : (tbl + SLOT_SIZE - 1) >>> SLOT_SHIFT
    // Short cuts that land exactly where the kernel's stride lands: only without a match mask, as then
    // every slot the stride reaches is aligned and every aligned slot is reached (pools start 2 MiB
    // aligned, areas hold whole segments). With a match mask the kernel may step over the slot after a
    // short run, or wrap early at the area's end, and the search must do the same.
    const exact = matchMask === 0
    // Where the scan below reaches every segment end exactly, whole segments may be skipped.
    const longest = exact && stride <= SEGMENT_SLOTS ? this.#longest : undefined
    let segment = -1 // the segment being scanned, once its bound said a fit may be there
    let index = area.index
    for (let checked = 0; checked < areaNslabs; ) {
      const slot = base + index
      if (longest !== undefined && slot >>> SEGMENT_SHIFT !== segment) {
        if (segment >= 0) this.#tighten(segment)
        segment = slot >>> SEGMENT_SHIFT
        if (longest[segment]! < nslots) {
          // No free run here is long enough: go on at the next segment (or the area's end).
          const skip = Math.min(SEGMENT_SLOTS - (slot & (SEGMENT_SLOTS - 1)), areaNslabs - index)
          index = index + skip >= areaNslabs ? 0 : index + skip
          checked += skip
          segment = -1
          continue
        }
      }
      if (checkAlign) {
        const low = tbl + (slot << SLOT_SHIFT)
        if ((low & alignMask) !== 0 || (low & match) !== wantBits) {
          index = index + 1 >= areaNslabs ? 0 : index + 1
          checked++
          continue
        }
      }
      const free = list[slot]!
      if (free >= nslots) {
        if (span === 0 || ((shift + slot) & (span - 1)) + nslots <= span) {
          return this.#takeAt(area, index, slot, nslots)
        }
        index = index + stride >= areaNslabs ? 0 : index + stride
        checked += stride
        continue
      }
      // A free run too short to fit: none of its slots can fit either (their counters only shrink),
      // so without a match mask the first slot that could is past its end, where the stride lands.
      const step = exact && free > stride ? free : stride
      index = index + step >= areaNslabs ? 0 : index + step
      checked += step
    }
    if (segment >= 0) this.#tighten(segment)
    // Nothing fits in this area: lower its bound to what its segments' bounds allow.
    let bound = 0
    const longestAll = this.#longest
    for (let g = base >>> SEGMENT_SHIFT, end = (base + areaNslabs - 1) >>> SEGMENT_SHIFT; g <= end; g++) {
      if (longestAll[g]! > bound) bound = longestAll[g]!
    }
    if (bound < area.runBound) area.runBound = bound
    return -1
  }

  /**
   * An upper bound on the longest free run in any area of this pool (at most 128): the pool can hold no
   * request of more slots. Exact for a full pool (0). The search of many pools skips pools below it.
   */
  runBound(): number {
    const areas = this.areas
    let bound = 0
    for (let a = 0; a < areas.length; a++) {
      const area = areas[a]!
      const free = area.nslabs - area.used
      const b = free < area.runBound ? free : area.runBound
      if (b > bound) bound = b
    }
    return bound
  }

  /** Sets a segment's bound to its longest free run (the largest `list` value in it). */
  #tighten(segment: number): void {
    const list = this.list
    const from = segment * SEGMENT_SLOTS
    const to = Math.min(from + SEGMENT_SLOTS, this.nslabs)
    let max = 0
    for (let i = from; i < to; i++) if (list[i]! > max) max = list[i]!
    this.#longest[segment] = max
  }

  /** Takes `nslots` from `slot` (at `index` in `area`) and moves the area's cursor past them. */
  #takeAt(area: Area, index: number, slot: number, nslots: number): number {
    const list = this.list
    // A short run is zeroed in place: fill() is a builtin call, ~35 ns of a 2-slot map + unmap.
    if (nslots <= 8) for (let i = slot; i < slot + nslots; i++) list[i] = 0
    else list.fill(0, slot, slot + nslots)
    // The free run before the mapping, back to its segment's start, now ends at the mapping.
    renumberFree(list, this.#words, slot - 1, slot - (slot % SEGMENT_SLOTS), 0)
    const areaNslabs = this.areaNslabs
    area.index = index + nslots >= areaNslabs ? 0 : index + nslots // wrap_area_index
    area.used += nslots
    if (area.used > area.hiwater) area.hiwater = area.used
    this.used += nslots
    return slot
  }

  /** swiotlb_release_slots: returns `nslots` slots from `slot` and merges them with their neighbours. */
  release(slot: number, nslots: number): void {
    const list = this.list
    const end = slot + nslots
    const words = this.#words
    let count = end % SEGMENT_SLOTS !== 0 && end < this.nslabs ? list[end]! : 0
    count = renumber(list, words, end - 1, slot, count)
    count = renumberFree(list, words, slot - 1, slot - (slot % SEGMENT_SLOTS), count)
    // `count` is now the length of the merged free run.
    if (count > this.#longest[slot >>> SEGMENT_SHIFT]!) this.#longest[slot >>> SEGMENT_SHIFT] = count
    const area = this.areas[(slot / this.areaNslabs) | 0]!
    if (count > area.runBound) area.runBound = count
    area.used -= nslots
    this.used -= nslots
  }

  /** Slot index of a bus address inside this pool. */
  slotOf(addr: number): number {
    return Math.floor((addr - this.start) / SLOT_SIZE)
  }
}

import { boundarySlots, NO_ORIG_ADDR, SEGMENT_SLOTS, SLOT_SHIFT, SLOT_SIZE } from './layout.js'

/** log2(SEGMENT_SLOTS): a slot's segment is `slot >>> SEGMENT_SHIFT`. */
const SEGMENT_SHIFT = 7
/** 32-bit words of used bits per segment. */
const SEGMENT_WORDS = SEGMENT_SLOTS / 32

/** Segments of a pool of `nslabs` slots (the last one may be partial). */
function segmentsOf(nslabs: number): number {
  return Math.ceil(nslabs / SEGMENT_SLOTS)
}

/** Bytes a SlotTable of `nslabs` slots needs: 16 per segment for its used bits, then one per segment. */
export function slotTableBytes(nslabs: number): number {
  return segmentsOf(nslabs) * (SEGMENT_WORDS * 4 + 1)
}

/** Index of the lowest set bit of a non-zero word. */
function lowestBit(w: number): number {
  return 31 - Math.clz32(w & -w)
}

/**
 * The slot state of one pool (io_tlb_pool's io_tlb_slot array) and the area search over it, in one
 * byte buffer that may be an ArrayBuffer (Pool, one thread) or a SharedArrayBuffer (SharedPool, under
 * the searched area's lock). Both allocators call these methods, so both place every mapping where the
 * kernel would. The area's cursor and used count stay with the caller, which keeps them in its own
 * storage (Area objects, or an Int32Array shared by threads).
 *
 *   bytes:  | used: one bit per slot, four 32-bit words per segment | longest: one byte per segment |
 *
 * The kernel keeps a free-run counter per slot (`list`): for a free slot, the number of free
 * contiguous slots from it to the end of its segment; 0 for a used slot. Its allocation zeroes the run
 * and renumbers the free slots before it, its release renumbers the run and the free slots before it:
 * up to 127 writes each on a nearly empty pool, which was half the cost of a map + unmap here. The
 * counter is a function of which slots are used, so this table keeps only that (a bit per slot, set
 * when used; the slots past the pool's end in its last segment are set) and computes the counter
 * where the search reads it (`run`): the lowest set bit at or after the slot, within its segment.
 *
 *   segment:  | s0 | s1 | s2 | s3 | s4 | ... | s127 |
 *   used:        .    X    X    .    .           .
 *   run:         1    0    0  125  124          1
 *
 * A request for n slots fits at slot i when run(i) >= n, so no mapping crosses a segment. Taking and
 * freeing set and clear the run's bits: a word or two.
 *
 * `longest` holds, per segment, an upper bound on its longest free run: release raises it to the run
 * it merged, and a search that leaves a segment without a fit lowers it to the exact value. A search
 * skips a segment whose bound is below the request, so a nearly full pool is not scanned slot by slot
 * on every failed request. It does so only where the scan would reach the segment's end exactly
 * (no match mask, alignment within a segment), so the slot found is the one the scan would find.
 * Areas hold whole segments, so an area's lock covers its segments' words and bounds too.
 * test/kernel-search.test.ts holds this search, and the counters, against a transcription of the
 * kernel's loop and its `list` bookkeeping.
 */
export class SlotTable {
  /** One bit per slot, set when used; four words per segment. */
  readonly bits: Uint32Array
  readonly longest: Uint8Array

  constructor(
    /** slotTableBytes(nslabs) bytes, at an offset that is a multiple of 4. */
    bytes: Uint8Array,
    readonly nslabs: number,
    /** The low 30 bits of the pool's start: enough for every alignment mask, and int32 arithmetic. */
    readonly startLow: number,
  ) {
    const segments = segmentsOf(nslabs)
    this.bits = new Uint32Array(bytes.buffer, bytes.byteOffset, segments * SEGMENT_WORDS)
    this.longest = bytes.subarray(segments * SEGMENT_WORDS * 4, slotTableBytes(nslabs))
  }

  /** swiotlb_init_io_tlb_pool: every slot free (and the slots past the pool's end, used). */
  reset(): void {
    const { bits, longest, nslabs } = this
    bits.fill(0)
    for (let i = nslabs; i < bits.length * 32; i++) bits[i >>> 5]! |= 1 << (i & 31)
    for (let g = 0; g < longest.length; g++) longest[g] = Math.min(SEGMENT_SLOTS, nslabs - g * SEGMENT_SLOTS)
  }

  /**
   * The kernel's free-run counter of `slot` (io_tlb_slot.list): the free slots from it up to the next
   * used slot or its segment's end; 0 when it is used.
   */
  run(slot: number): number {
    const bits = this.bits
    let k = slot >>> 5
    const w = bits[k]! >>> (slot & 31)
    if (w !== 0) return lowestBit(w)
    let run = 32 - (slot & 31)
    while ((++k & (SEGMENT_WORDS - 1)) !== 0) {
      const v = bits[k]!
      if (v !== 0) return run + lowestBit(v)
      run += 32
    }
    return run
  }

  /** Every slot's free-run counter, as the kernel's `list` array holds them (tests and checks). */
  counters(): Uint8Array {
    const list = new Uint8Array(this.nslabs)
    for (let i = 0; i < this.nslabs; i++) list[i] = this.run(i)
    return list
  }

  /**
   * swiotlb_search_pool_area: finds `nslots` free contiguous slots among the `areaSize` slots from
   * `areaBase`, starting at `cursor` (relative to `areaBase`), visiting the slots the kernel's loop
   * visits in the order it visits them, so that it finds the slot the kernel finds, or gives up where
   * the kernel gives up; and marks them used. `alignMask` (at least 2047) aligns the first slot's address; the
   * address bits in `matchMask` must equal those of `origAddr` (min_align_mask above the alignment),
   * unless `origAddr` is NO_ORIG_ADDR (the kernel's orig_addr 0); `boundaryMask` is the DMA segment
   * boundary (0: none). Returns the first slot, or -1. The caller checked that the area has `nslots`
   * free slots, and moves its cursor (wrap_area_index) and used count.
   */
  search(
    areaBase: number,
    areaSize: number,
    cursor: number,
    nslots: number,
    alignMask: number,
    matchMask: number,
    origAddr: number,
    boundaryMask: number,
  ): number {
    // `| 0`: the compiler knows a parameter only as a number, and the loop index that starts at one
    // would be kept as a double (a 10 % slower search of a fragmented pool); these are int32.
    const base = areaBase | 0
    const areaNslabs = areaSize | 0
    if (matchMask === 0 && boundaryMask === 0) {
      // The kernel's loop, first pass, without its set-up: with no match mask and no boundary, the slot
      // at the cursor is taken when it is aligned and its free run is long enough (its segment's bound
      // is then long enough too). Else the loop below starts from the same slot.
      const slot = base + (cursor | 0)
      if (this.run(slot) >= nslots && ((this.startLow + (slot << SLOT_SHIFT)) & alignMask) === 0) {
        this.#mark(slot, nslots, true)
        return slot
      }
    }
    // tbl_dma_addr: the kernel aligns and matches `pool start & boundary mask` + slot offset. Only the
    // low bits matter to the masks: int32 arithmetic on the pool's low start bits (ToInt32 of a mask of
    // 2^31 or more bits is -1, all ones).
    const tbl = boundaryMask === 0 ? this.startLow : this.startLow & boundaryMask
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
    const longest = exact && stride <= SEGMENT_SLOTS ? this.longest : undefined
    let segment = -1 // the segment being scanned, once its bound said a fit may be there
    let index = cursor | 0
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
      const free = this.run(slot)
      if (free >= nslots) {
        if (span === 0 || ((shift + slot) & (span - 1)) + nslots <= span) {
          this.#mark(slot, nslots, true)
          return slot
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
    return -1
  }

  /** The largest segment bound among the `areaNslabs` slots from `base`: no longer run is free there. */
  areaBound(base: number, areaNslabs: number): number {
    const longest = this.longest
    let bound = 0
    for (let g = base >>> SEGMENT_SHIFT, end = (base + areaNslabs - 1) >>> SEGMENT_SHIFT; g <= end; g++) {
      if (longest[g]! > bound) bound = longest[g]!
    }
    return bound
  }

  /** Sets a segment's bound to its longest free run. */
  #tighten(segment: number): void {
    const bits = this.bits
    let max = 0
    let run = 0 // free slots just before the bit being read
    for (let k = segment * SEGMENT_WORDS, end = k + SEGMENT_WORDS; k < end; k++) {
      const w = bits[k]!
      // Word by word, then run by run inside a mixed word: a free run grows by the zeros below the
      // next set bit and ends there; the set bits after it are stepped over at once.
      for (let at = 0; at < 32; ) {
        const rest = w >>> at
        if (rest === 0) {
          run += 32 - at
          break
        }
        const zeros = lowestBit(rest)
        run += zeros
        if (run > max) max = run
        run = 0
        // Complemented, the used run starting here is the low zeros; the bits shifted in at the top
        // become ones, so the count stops at the word's end. All zeros: a whole word in use.
        const free = ~(rest >>> zeros)
        if (free === 0) break
        at += zeros + lowestBit(free)
      }
    }
    this.longest[segment] = run > max ? run : max
  }

  /** Sets (`used`) or clears the bits of `nslots` slots from `slot`, all in one segment. */
  #mark(slot: number, nslots: number, used: boolean): void {
    const bits = this.bits
    let k = slot >>> 5
    let shift = slot & 31
    for (let left = nslots; left > 0; k++) {
      const n = left < 32 - shift ? left : 32 - shift
      const mask = n === 32 ? -1 : ((1 << n) - 1) << shift
      bits[k] = used ? bits[k]! | mask : bits[k]! & ~mask
      left -= n
      shift = 0
    }
  }

  /** The first slot of the free run that ends at `slot` (itself when the slot before is used). */
  #runStart(slot: number): number {
    const bits = this.bits
    let k = slot >>> 5
    let w = bits[k]! & ((1 << (slot & 31)) - 1)
    while (w === 0) {
      if ((k & (SEGMENT_WORDS - 1)) === 0) return k << 5
      w = bits[--k]!
    }
    return (k << 5) + 32 - Math.clz32(w)
  }

  /**
   * swiotlb_release_slots: returns `nslots` slots from `slot` and merges them with their neighbours.
   * Returns the length of the merged free run.
   */
  release(slot: number, nslots: number): number {
    this.#mark(slot, nslots, false)
    const count = this.run(this.#runStart(slot))
    if (count > this.longest[slot >>> SEGMENT_SHIFT]!) this.longest[slot >>> SEGMENT_SHIFT] = count
    return count
  }
}

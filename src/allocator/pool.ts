import { Area } from './area.js'
import { SEGMENT_SLOTS, SLOT_SIZE } from './layout.js'
import { LiveTable } from './live-table.js'
import { SlotTable, slotTableBytes } from './slot-table.js'

export type PoolKind = 'default' | 'dynamic' | 'transient'

/**
 * io_tlb_pool: a contiguous range of slots, split evenly into areas. The slot state and the kernel's
 * area search over it are a SlotTable (slot-table.ts), which the shared pool (src/shared/) uses too;
 * this class keeps the areas' cursors and counts, and the run bounds the search of many pools reads.
 */
export class Pool {
  readonly slots: SlotTable
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
    this.slots = new SlotTable(new Uint8Array(slotTableBytes(nslabs)), nslabs, start % 2 ** 30)
    this.slots.reset()
    this.live = new LiveTable(nslabs)
    this.areaNslabs = nslabs / nareas
    this.areas = []
    for (let a = 0; a < nareas; a++) this.areas.push(new Area(a * this.areaNslabs, this.areaNslabs))
    this.emptySince = now
  }

  get nareas(): number {
    return this.areas.length
  }

  /** One past the last byte of the pool. */
  get end(): number {
    return this.start + this.nslabs * SLOT_SIZE
  }

  /**
   * swiotlb_search_pool_area in area `areaIndex`, from the area's cursor (SlotTable.search): returns
   * the first slot of `nslots` slots now taken, or -1. `origAddr` NO_ORIG_ADDR: no original address;
   * `boundaryMask` 0: no DMA segment boundary.
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
    const base = area.base
    const slot = this.slots.search(
      base,
      areaNslabs,
      area.index,
      nslots,
      alignMask,
      matchMask,
      origAddr,
      boundaryMask,
    )
    if (slot < 0) {
      // Nothing fits in this area: lower its bound to what its segments' bounds allow.
      const bound = this.slots.areaBound(base, areaNslabs)
      if (bound < area.runBound) area.runBound = bound
      return -1
    }
    const index = slot - base + nslots
    area.index = index >= areaNslabs ? 0 : index // wrap_area_index
    area.used += nslots
    if (area.used > area.hiwater) area.hiwater = area.used
    this.used += nslots
    return slot
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

  /** swiotlb_release_slots: returns `nslots` slots from `slot` and merges them with their neighbours. */
  release(slot: number, nslots: number): void {
    // The length of the merged free run.
    const count = this.slots.release(slot, nslots)
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

import { SEGMENT_SLOTS } from './layout.js'

/**
 * io_tlb_area: a run of `nslabs` slots of one pool with its own search cursor. Callers start their
 * search in the area of their CPU (`cpu & (nareas - 1)`), which spreads them apart.
 */
export class Area {
  /** Rotating search cursor, relative to the area's first slot. */
  index = 0
  /** Slots in use in this area. */
  used = 0
  /** Highest `used` ever seen in this area (the per-area marks of the 2026 hiwater patch). */
  hiwater = 0
  /**
   * An upper bound on the longest free run in this area: raised by a release to the run it merged,
   * lowered by a search that found nothing to what the segments' bounds allow. See Pool.runBound.
   */
  runBound: number

  constructor(
    /** First slot of the area within its pool. */
    readonly base: number,
    readonly nslabs: number,
  ) {
    this.runBound = Math.min(nslabs, SEGMENT_SLOTS)
  }
}

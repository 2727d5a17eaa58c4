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

  constructor(
    /** First slot of the area within its pool. */
    readonly base: number,
    readonly nslabs: number,
  ) {}
}

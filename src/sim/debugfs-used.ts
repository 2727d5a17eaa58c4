import type { SwiotlbStats } from '../index.js'

/**
 * What debugfs io_tlb_used shows for a snapshot: io_tlb_used_get reads mem_used, the total_used
 * atomic, which counts the slots of live transient pools too (inc_used_and_hiwater in their search,
 * dec_used in swiotlb_del_transient). `stats().used` leaves them out; each holds its one mapping, so
 * its slots in use are its nslabs.
 */
export function debugfsUsed(s: SwiotlbStats): number {
  return s.used + s.transientNslabs
}

import type { AtomicPoolConfig } from './atomic-pool.js'

/** The decrypt hypercalls of a CoCo VM: time a grow takes on the clock. */
export interface GrowthCost {
  fixedMs: number
  perMiBMs: number
}

/** `growth` options, normalized. */
export interface GrowthConfig {
  /** Total of all pools (default, dynamic and transient) never exceeds this. Infinity: no limit. */
  maxBytes: number
  chunkBytes: number
  /** Grow when the oldest waiter has waited this long (Robin Murphy's fallback); undefined: never. */
  waitMs: number | undefined
  /** Grow when usage crosses this fraction of capacity (Catalin Marinas' worker); undefined: never. */
  atUsage: number | undefined
  /**
   * Grow when a search finds no slots: mainline's swiotlb_find_slots schedules its worker then, and a
   * failure while the worker runs schedules it once more.
   */
  onFailure: boolean
  /**
   * Which pools a search tries first. 'oldest-first' (the default pool, then dynamic pools by age) lets
   * young pools drain so that the shrinker can return them; 'newest-first' is mainline's order
   * (add_mem_pool puts a new pool at the head of the list the search walks).
   */
  searchOrder: 'oldest-first' | 'newest-first'
  transient: boolean
  /** Where transient pools come from; undefined: anywhere, without a limit but maxBytes. */
  atomic: AtomicPoolConfig | undefined
  cost: GrowthCost
  shrinkAfterMs: number | undefined
  allocate: ((bytes: number) => boolean | Promise<boolean>) | undefined
}

export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024

/** Time a grow of `bytes` takes. */
export function growCostMs(cost: GrowthCost, bytes: number): number {
  return cost.fixedMs + (cost.perMiBMs * bytes) / (1024 * 1024)
}

/** Which way the data moves, as in the kernel's enum dma_data_direction. */
export type MappingDirection = 'to-device' | 'from-device' | 'bidirectional'

export interface AreaStats {
  readonly pool: number
  readonly index: number
  readonly nslabs: number
  readonly used: number
  readonly hiwater: number
}

/** One default or dynamic pool (transient pools are counted in `transientNslabs`, not listed). */
export interface PoolStats {
  readonly kind: 'default' | 'dynamic'
  readonly addr: number
  readonly nslabs: number
  readonly used: number
  readonly areas: number
}

/** A frozen snapshot of a Swiotlb (the kernel's debugfs, and more). Slots unless named otherwise. */
export interface SwiotlbStats {
  readonly at: number
  /** Slots of capacity: default and dynamic pools. */
  readonly nslabs: number
  readonly used: number
  /** Highest `used` since creation or `resetHiwater(0)`: exact. */
  readonly hiwater: number
  /** Number of default and dynamic pools. */
  readonly pools: number
  readonly poolList: readonly PoolStats[]
  readonly transientNslabs: number
  readonly liveMappings: number
  /** Non-blocking requests that found no room (SwiotlbFullError or tryMap → undefined). */
  readonly failures: number
  readonly throttle: {
    readonly mode: 'off' | 'budget' | 'serialize' | 'fair-share'
    readonly waiting: number
    readonly bytesWaiting: number
    /** Slots the blocking budget allows now (0 when throttling is off or in serialize mode). */
    readonly budget: number
    readonly blockingUsed: number
    readonly admitted: number
    readonly timeouts: number
    readonly aborts: number
    readonly highCount: number
    readonly lowCount: number
    readonly waitMs: {
      readonly count: number
      readonly p50: number
      readonly p99: number
      readonly max: number
    }
  }
  readonly growth: {
    readonly grows: number
    readonly failures: number
    readonly bytesGrown: number
    readonly shrinks: number
    readonly transients: number
  }
  readonly areas: readonly AreaStats[]
}

import type { Waiter } from './wait-queue.js'

/** What a throttle policy needs from the pool. */
export interface ThrottleHost {
  /**
   * Allocates slots for a waiter and settles its request (direct handoff). Returns false, changing
   * nothing, when the allocator finds no room.
   */
  grant(w: Waiter): boolean
  /** Slots of capacity now (default and dynamic pools): thresholds are fractions of it. */
  readonly nslabs: number
  /** Slots in use now. */
  readonly used: number
}

/**
 * How blocking (MAY_BLOCK) requests are admitted. One interface, three implementations: `budget`
 * (tag-set budget, one FIFO), `serialize` (Michael Kelley's RFC) and `fair-share` (blk-mq
 * hctx_may_queue). Non-blocking requests never reach a policy.
 */
export interface ThrottlePolicy {
  readonly mode: 'budget' | 'serialize' | 'fair-share'
  /**
   * True when a request of `nslots` from `device` may go straight to the allocator, without a waiter
   * (the uncontended path). Counts nothing; on success the caller reports `admitted`.
   */
  fastPath(nslots: number, device: string): boolean
  /** A request that took the fast path got its slots. */
  admitted(nslots: number, device: string): void
  /**
   * A blocking request arrives: true when it was granted at once, false when it joined a queue.
   * `tryNow: false` says the caller just tried the allocator for it and found no room: no second search.
   */
  submit(w: Waiter, tryNow?: boolean): boolean
  /** A mapping that this policy admitted was unmapped (its slots are already free). */
  release(nslots: number, device: string, throttled: boolean): void
  /** Admits waiters while they fit; called after every release and every growth. */
  drain(): void
  /** A waiter leaves without a mapping (timeout or abort). */
  remove(w: Waiter): void
  /** The largest request (in slots) that could ever be admitted with `nslabs` of capacity. */
  maxSlots(nslabs: number): number
  /** The waiter that has waited longest, if any. */
  oldest(): Waiter | undefined
  readonly waiting: number
  readonly bytesWaiting: number
  /** Slots held by blocking mappings this policy admitted. */
  readonly blockingUsed: number
  /** Requests throttled at the high mark, and (serialize) at the low mark while the semaphore is held. */
  readonly highCount: number
  readonly lowCount: number
}

export interface ThrottleThresholds {
  high: number
  low: number
}

import type { Waiter } from './wait-queue.js'

/** A mapping a policy admitted, as the policy sees it again at its unmap. */
export interface Admitted {
  /** Slots it holds. */
  readonly slots: number
  readonly device: string
}

/** What a throttle policy needs from the pool. */
export interface ThrottleHost {
  /**
   * Allocates slots for a waiter and settles its request (direct handoff): returns what it admitted,
   * or undefined, changing nothing, when the allocator finds no room.
   */
  grant(w: Waiter): Admitted | undefined
  /**
   * Settles a waiter that found no slots with the kernel's "swiotlb buffer is full" (the RFC fails a
   * throttled request that finds no slots). The policy has already taken it out of its queue.
   */
  refuse(w: Waiter): void
  /**
   * True when no slot is in use and no grow can come: a waiter the search finds no room for now never
   * will, since no release is left to come and the search's area cursors move only when slots are
   * taken. The kernel's search can miss an empty area (its stride walk from the area's cursor stops
   * after one lap without reaching every aligned start), so a waiter in this state is refused as the
   * kernel's map fails, instead of holding the queue for ever.
   */
  stranded(): boolean
  /** Slots of capacity now (default and dynamic pools): thresholds are fractions of it. */
  readonly nslabs: number
  /** Slots in use now. */
  readonly used: number
}

export type ThrottleMode = 'budget' | 'serialize' | 'fair-share'

export interface ThrottleThresholds {
  /** Fraction of capacity: the blocking budget, or the RFC's high mark. */
  high: number
  /** Fraction of capacity: the RFC's low mark (serialize). */
  low: number
  /** A fixed blocking budget in slots (`throttle.budgetBytes`), used instead of `high × nslabs`. */
  budgetSlots?: number | undefined
}

/** `throttle` options, normalized: what createPolicy builds a policy from. */
export interface ThrottleConfig extends ThrottleThresholds {
  mode: ThrottleMode
  /**
   * serialize: what a request that finds no slots does. 'fail' is the RFC: it fails (a throttled one
   * after it got the semaphore, which it gives back); 'wait' keeps it waiting for a release.
   */
  whenFull: 'fail' | 'wait'
}

/**
 * How blocking (MAY_BLOCK) requests are admitted. One interface, three implementations: `budget`
 * (tag-set budget, one FIFO), `serialize` (Michael Kelley's RFC) and `fair-share` (blk-mq
 * hctx_may_queue), made by createPolicy. Non-blocking requests never reach a policy.
 */
export interface ThrottlePolicy {
  readonly mode: ThrottleMode
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
  release(m: Admitted): void
  /** Admits waiters while they fit; called after every release and every growth. */
  drain(): void
  /**
   * A waiter leaves without a mapping (timeout or abort). True when it was at the head of a queue (or
   * held the semaphore), so that its leaving may let others in; only then is anyone admitted.
   * `admitNext: false` admits nobody it let through: the caller takes more waiters out and calls
   * `drain()` once if any of them returned true.
   */
  remove(w: Waiter, admitNext?: boolean): boolean
  /**
   * Takes every waiter (or `device`'s) out of the queues, in arrival order per queue, admitting nobody:
   * the caller settles them and calls `drain()`. O(waiters taken).
   */
  takeWaiting(device: string | undefined): Waiter[]
  /** The largest request (in slots) that could ever be admitted with `nslabs` of capacity. */
  maxSlots(nslabs: number): number
  /** Slots the blocking budget allows now; 0 for a mode without one (serialize). */
  budget(): number
  /**
   * Whether capacity may drop to `nslabs` now (the shrinker asks before it returns a pool): never while
   * requests wait (a shrink would undo the grow they wait for, and grow and shrink could take turns for
   * ever), nor below what the blocking mappings hold against the budget.
   */
  mayShrinkTo(nslabs: number): boolean
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

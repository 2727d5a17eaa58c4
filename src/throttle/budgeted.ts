import { DrainGuard } from './drain-guard.js'
import type { Admitted, ThrottleHost, ThrottlePolicy, ThrottleThresholds } from './policy.js'
import type { Waiter, WaitQueue } from './wait-queue.js'

/**
 * What the budget and fair-share modes share, as SimPy's BaseResource does for its resources:
 * blocking callers own a budget of `high × nslabs` slots, the counters, and the trigger loop, written
 * once here. After every release, growth and head that leaves, `drain()` calls the mode's `put()`
 * until it admits nobody; `put()` picks the next head the mode serves and hands it slots through
 * `handOff`, which checks the budget and allocates before the waiter's promise resolves.
 *
 *   release / grow / head leaves ─→ drain() ─→ put() ─→ handOff(head) ─→ host.grant(head)
 *                                      ↑          │ admitted one
 *                                      └──────────┘
 *
 * A mode supplies `put`, its queues (`enqueue`, `remove`, `oldest`) and its fast-path test.
 */
export abstract class BudgetedPolicy implements ThrottlePolicy {
  abstract readonly mode: 'budget' | 'fair-share'
  blockingUsed = 0
  highCount = 0
  readonly lowCount = 0
  /** Waiters in all of this mode's queues, and their bytes. */
  #waiting = 0
  #bytesWaiting = 0
  readonly #guard = new DrainGuard()
  readonly #trigger = (): void => {
    while (this.put()) {
      // one waiter admitted per put: offer the next
    }
  }

  constructor(
    protected readonly host: ThrottleHost,
    private readonly thresholds: ThrottleThresholds,
  ) {}

  budget(): number {
    return this.thresholds.budgetSlots ?? Math.floor(this.thresholds.high * this.host.nslabs)
  }

  maxSlots(nslabs: number): number {
    const fixed = this.thresholds.budgetSlots
    return fixed === undefined ? Math.floor(this.thresholds.high * nslabs) : Math.min(fixed, nslabs)
  }

  mayShrinkTo(nslabs: number): boolean {
    return this.#waiting === 0 && this.blockingUsed <= this.maxSlots(nslabs)
  }

  abstract fastPath(nslots: number, device: string): boolean

  admitted(nslots: number, _device: string): void {
    this.blockingUsed += nslots
  }

  submit(w: Waiter, tryNow = true): boolean {
    let searched = !tryNow
    if (tryNow && this.fastPath(w.nslots, w.device)) {
      if (this.host.grant(w) !== undefined) {
        this.admitted(w.nslots, w.device)
        return true
      }
      searched = true
    }
    if (searched && this.host.stranded()) {
      // No room, and nothing can ever make some: it fails as the kernel's map does (host.stranded).
      this.#refuse(w)
      return false
    }
    this.highCount++
    this.#waiting++
    this.#bytesWaiting += w.sizeBytes
    this.enqueue(w)
    return false
  }

  release(m: Admitted): void {
    this.blockingUsed -= m.slots
    this.drain()
  }

  drain(): void {
    if (this.#waiting !== 0) this.#guard.run(this.#trigger)
  }

  /** Admits the next waiter this mode serves, if one may go now; false when none can. */
  protected abstract put(): boolean

  /** Puts a waiter that could not be admitted at once in this mode's queue. */
  protected abstract enqueue(w: Waiter): void

  abstract remove(w: Waiter, admitNext?: boolean): boolean

  abstract takeWaiting(device: string | undefined): Waiter[]

  /** Takes the waiters of `queue` (those of `device`, when given) into `out`, in order. */
  protected takeFrom(queue: WaitQueue, device: string | undefined, out: Waiter[]): void {
    let w = queue.head
    while (w !== undefined) {
      const next = w.next
      if (device === undefined || w.device === device) {
        this.unqueue(w, queue)
        out.push(w)
      }
      w = next
    }
  }

  abstract oldest(): Waiter | undefined

  /**
   * Direct handoff to `w`, the head of `queue`: within the budget, it leaves the queue and gets its
   * slots before anyone else can take them. When the allocator has no room it goes back to the head,
   * unless nothing can ever make room (host.stranded): then it leaves refused (`w.refused`). True when
   * `w` left the queue, admitted or refused.
   */
  protected handOff(w: Waiter, queue: WaitQueue): boolean {
    if (this.blockingUsed + w.nslots > this.budget()) return false
    this.unqueue(w, queue)
    if (this.host.grant(w) === undefined) {
      if (this.host.stranded()) {
        this.#refuse(w)
        return true
      }
      queue.unshift(w)
      this.#waiting++
      this.#bytesWaiting += w.sizeBytes
      return false
    }
    this.blockingUsed += w.nslots
    return true
  }

  /** `w`, out of every queue, found no room and never will: it fails as the kernel's map does. */
  #refuse(w: Waiter): void {
    w.refused = true
    this.host.refuse(w)
  }

  /** Takes `w` out of `queue` (nothing when it is not there); true when it was the head. */
  protected unqueue(w: Waiter, queue: WaitQueue): boolean {
    if (w.queue !== queue) return false
    const wasHead = queue.head === w
    queue.remove(w)
    this.#waiting--
    this.#bytesWaiting -= w.sizeBytes
    return wasHead
  }

  get waiting(): number {
    return this.#waiting
  }

  get bytesWaiting(): number {
    return this.#bytesWaiting
  }
}

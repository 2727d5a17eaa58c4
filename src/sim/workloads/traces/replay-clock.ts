import { drainMicrotasks } from '../../../clock/real-clock.js'
import { TimerHeap } from '../../../clock/timer-heap.js'
import type { Clock, TimerHandle } from '../../../index.js'

class ReplayTimer {
  heapIndex = -1
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}
}

/**
 * The clock of a replay. Like the VirtualClock, timers fire in (time, seq) order with every pending
 * promise callback run between two of them; unlike it, moving to a time that no timer is due by is
 * synchronous. A replay moves the clock once per trace event and most moves cross no timer: the
 * VirtualClock's `advanceBy` drains microtasks on every call (about 5 µs), which would be most of the
 * replay's time on a 10 M-event trace.
 */
export class ReplayClock implements Clock {
  #now = 0
  #seq = 0
  readonly #heap = new TimerHeap<ReplayTimer>()

  now(): number {
    return this.#now
  }

  get pendingTimers(): number {
    return this.#heap.size
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = new ReplayTimer(this.#now + Math.max(0, ms), this.#seq++, fn)
    this.#heap.push(timer)
    return timer
  }

  clearTimer(handle: TimerHandle): void {
    if (handle instanceof ReplayTimer && handle.heapIndex >= 0) this.#heap.removeAt(handle.heapIndex)
  }

  /**
   * Moves to `ms` (never back). Returns undefined when no timer was due on the way; otherwise a promise
   * that fires them in order, draining microtasks between two, and resolves at `ms`.
   */
  advanceTo(ms: number): Promise<void> | undefined {
    const top = this.#heap.peek()
    if (top === undefined || top.at > ms) {
      if (ms > this.#now) this.#now = ms
      return undefined
    }
    return this.#run(ms)
  }

  /** Fires every timer, those set meanwhile included, until none is left. */
  async runAll(): Promise<void> {
    await this.#run(Number.POSITIVE_INFINITY)
  }

  async #run(until: number): Promise<void> {
    await drainMicrotasks()
    for (;;) {
      const top = this.#heap.peek()
      if (top === undefined || top.at > until) break
      this.#heap.removeAt(0)
      if (top.at > this.#now) this.#now = top.at
      top.fn()
      await drainMicrotasks()
    }
    if (until !== Number.POSITIVE_INFINITY && until > this.#now) this.#now = until
  }
}

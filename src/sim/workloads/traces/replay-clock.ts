import type { Clock, TimerHandle } from '../../../index.js'

class ReplayTimer {
  index = -1
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
  readonly #heap: ReplayTimer[] = []

  now(): number {
    return this.#now
  }

  get pendingTimers(): number {
    return this.#heap.length
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = new ReplayTimer(this.#now + Math.max(0, ms), this.#seq++, fn)
    timer.index = this.#heap.length
    this.#heap.push(timer)
    this.#up(timer.index)
    return timer
  }

  clearTimer(handle: TimerHandle): void {
    if (handle instanceof ReplayTimer && handle.index >= 0) this.#removeAt(handle.index)
  }

  /**
   * Moves to `ms` (never back). Returns undefined when no timer was due on the way; otherwise a promise
   * that fires them in order, draining microtasks between two, and resolves at `ms`.
   */
  advanceTo(ms: number): Promise<void> | undefined {
    const top = this.#heap[0]
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
    await drain()
    for (;;) {
      const top = this.#heap[0]
      if (top === undefined || top.at > until) break
      this.#removeAt(0)
      if (top.at > this.#now) this.#now = top.at
      top.fn()
      await drain()
    }
    if (until !== Number.POSITIVE_INFINITY && until > this.#now) this.#now = until
  }

  #less(a: ReplayTimer, b: ReplayTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  #removeAt(i: number): void {
    const heap = this.#heap
    const removed = heap[i]!
    const last = heap.pop()!
    removed.index = -1
    if (last === removed) return
    heap[i] = last
    last.index = i
    this.#up(i)
    this.#down(last.index)
  }

  #up(i: number): void {
    const heap = this.#heap
    const item = heap[i]!
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent]!
      if (!this.#less(item, p)) break
      heap[i] = p
      p.index = i
      i = parent
    }
    heap[i] = item
    item.index = i
  }

  #down(i: number): void {
    const heap = this.#heap
    const item = heap[i]!
    for (;;) {
      const l = 2 * i + 1
      if (l >= heap.length) break
      const r = l + 1
      const c = r < heap.length && this.#less(heap[r]!, heap[l]!) ? r : l
      if (!this.#less(heap[c]!, item)) break
      heap[i] = heap[c]!
      heap[i]!.index = i
      i = c
    }
    heap[i] = item
    item.index = i
  }
}

/**
 * Resolves once every pending promise callback, and those they queue, has run: Node runs the
 * process.nextTick queue only when V8's microtask queue is empty (the same trick as the VirtualClock's,
 * src/clock/real-clock.ts `drainMicrotasks`).
 */
async function drain(): Promise<void> {
  await null
  await new Promise<void>((resolve) => process.nextTick(resolve))
}

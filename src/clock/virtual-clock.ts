import { ArgumentRangeError, ArgumentTypeError, ClockBusyError } from '../errors.js'
import type { Clock, TimerHandle } from './clock.js'
import { drainMicrotasks } from './real-clock.js'

/** One scheduled timer. `seq` breaks ties between timers due at the same time: first set, first fired. */
class VirtualTimer {
  heapIndex = -1
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}
}

/**
 * Deterministic time for tests and simulations.
 *
 * Timers fire in `(time, seq)` order. Between two timers every pending promise callback runs, so code
 * written with `await` sees the same interleaving as it would on the real clock. Time never moves by
 * itself: `advanceBy` and `runAll` move it.
 */
export class VirtualClock implements Clock {
  #now: number
  #seq = 0
  #heap: VirtualTimer[] = []
  #running = false

  constructor(startMs = 0) {
    if (!Number.isFinite(startMs)) throw new ArgumentRangeError('startMs', 'a finite number', startMs)
    this.#now = startMs
  }

  now(): number {
    return this.#now
  }

  /** Number of timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#heap.length
  }

  /** Time of the next timer, or undefined when none is pending. */
  get nextTimerAt(): number | undefined {
    return this.#heap[0]?.at
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    if (typeof fn !== 'function') throw new ArgumentTypeError('fn', 'a function', fn)
    // A timer at +Infinity would drag `now` to Infinity when runAll() fires it.
    if (typeof ms !== 'number' || !(ms < Number.POSITIVE_INFINITY))
      throw new ArgumentRangeError('ms', 'a finite number of ms', ms)
    const timer = new VirtualTimer(this.#now + Math.max(0, ms), this.#seq++, fn)
    this.#push(timer)
    return timer
  }

  clearTimer(handle: TimerHandle): void {
    if (!(handle instanceof VirtualTimer) || handle.heapIndex < 0) return
    this.#removeAt(handle.heapIndex)
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advanceBy(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new ArgumentRangeError('ms', 'a finite number >= 0', ms)
    }
    await this.#runUntil(this.#now + ms, 'advanceBy')
  }

  /** Fires every timer, including those set while running, until none is left. */
  async runAll(): Promise<void> {
    await this.#runUntil(Number.POSITIVE_INFINITY, 'runAll')
  }

  async #runUntil(until: number, call: string): Promise<void> {
    if (this.#running) throw new ClockBusyError(call)
    this.#running = true
    try {
      await drainMicrotasks()
      for (;;) {
        const top = this.#heap[0]
        if (top === undefined || top.at > until) break
        this.#removeAt(0)
        if (top.at > this.#now) this.#now = top.at
        top.fn()
        await drainMicrotasks()
      }
      if (until !== Number.POSITIVE_INFINITY && until > this.#now) this.#now = until
    } finally {
      this.#running = false
    }
  }

  #less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  #push(timer: VirtualTimer): void {
    timer.heapIndex = this.#heap.length
    this.#heap.push(timer)
    this.#up(timer.heapIndex)
  }

  #removeAt(i: number): void {
    const heap = this.#heap
    const removed = heap[i]!
    const last = heap.pop()!
    removed.heapIndex = -1
    if (last === removed) return
    heap[i] = last
    last.heapIndex = i
    this.#up(i)
    this.#down(last.heapIndex)
  }

  #up(i: number): void {
    const heap = this.#heap
    const item = heap[i]!
    while (i > 0) {
      const parentIndex = (i - 1) >> 1
      const parent = heap[parentIndex]!
      if (!this.#less(item, parent)) break
      heap[i] = parent
      parent.heapIndex = i
      i = parentIndex
    }
    heap[i] = item
    item.heapIndex = i
  }

  #down(i: number): void {
    const heap = this.#heap
    const n = heap.length
    const item = heap[i]!
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      let child = l
      if (r < n && this.#less(heap[r]!, heap[l]!)) child = r
      const c = heap[child]!
      if (!this.#less(c, item)) break
      heap[i] = c
      c.heapIndex = i
      i = child
    }
    heap[i] = item
    item.heapIndex = i
  }
}

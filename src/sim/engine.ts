import type { TimerHandle } from '../clock/clock.js'
import { VirtualClock } from '../index.js'

/** Simulated time resolution: events are kept on a grid of 1 µs (0.001 ms). */
export const TICK_MS = 0.001

/**
 * The discrete-event engine: a calendar of callbacks on a VirtualClock.
 *
 * Events are kept on a 1 µs grid and every event due at the same tick runs from one clock timer, in the
 * order they were scheduled (FIFO within a tick, ticks in time order). That keeps the host cost to
 * about one VirtualClock timer per distinct microsecond, not one per event. The Swiotlb under test
 * shares the same clock, so its own timers (growth, timeouts, usage$ sampling) interleave with ours in
 * the clock's (time, seq) order.
 *
 *   ticks (min-heap)   [12] [15] [40] ...
 *   buckets            12 → [fnA, fnB]   15 → [fnC]   ...
 *   armed              one clock timer, for the smallest tick
 */
export class Engine {
  readonly clock: VirtualClock
  readonly #buckets = new Map<number, Array<() => void>>()
  readonly #ticks: number[] = []
  #armedTick = -1
  #timer: TimerHandle | undefined = undefined
  #lastTick = -1
  #lastBucket: Array<() => void> | undefined = undefined
  #firing = false
  readonly #fire = () => this.#fireNext()

  constructor(clock = new VirtualClock()) {
    this.clock = clock
  }

  /** The current time in whole ticks (rounded up when the clock sits between ticks). */
  nowTick(): number {
    return Math.ceil(this.clock.now() / TICK_MS - 1e-6)
  }

  /** Runs `fn` `delayMs` from now, rounded up to the next tick. */
  after(delayMs: number, fn: () => void): void {
    this.atTick(this.nowTick() + Math.max(0, Math.ceil(delayMs / TICK_MS - 1e-6)), fn)
  }

  /** Runs `fn` at tick `tick` (never before now). */
  atTick(tick: number, fn: () => void): void {
    if (tick === this.#lastTick && this.#lastBucket !== undefined) {
      this.#lastBucket.push(fn)
      return
    }
    let bucket = this.#buckets.get(tick)
    if (bucket === undefined) {
      bucket = []
      this.#buckets.set(tick, bucket)
      this.#push(tick)
      if (!this.#firing && (this.#armedTick < 0 || tick < this.#armedTick)) this.#arm()
    }
    bucket.push(fn)
    this.#lastTick = tick
    this.#lastBucket = bucket
  }

  /** A promise that resolves `delayMs` from now. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve))
  }

  /** Events scheduled and not yet run. */
  get pending(): number {
    let n = 0
    for (const bucket of this.#buckets.values()) n += bucket.length
    return n
  }

  #arm(): void {
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer)
    const tick = this.#ticks[0]
    if (tick === undefined) {
      this.#timer = undefined
      this.#armedTick = -1
      return
    }
    this.#armedTick = tick
    this.#timer = this.clock.setTimer(tick * TICK_MS - this.clock.now(), this.#fire)
  }

  #fireNext(): void {
    this.#timer = undefined
    this.#armedTick = -1
    const tick = this.#pop()
    const bucket = this.#buckets.get(tick)!
    this.#buckets.delete(tick)
    if (this.#lastBucket === bucket) this.#lastBucket = undefined
    // Callbacks added to this tick while it runs get a fresh bucket and a fresh timer, after the
    // promise callbacks of this one have run (as on real time).
    this.#firing = true
    try {
      for (let i = 0; i < bucket.length; i++) bucket[i]!()
    } finally {
      this.#firing = false
      this.#arm()
    }
  }

  #push(tick: number): void {
    const heap = this.#ticks
    let i = heap.length
    heap.push(tick)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heap[parent]! <= tick) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = tick
  }

  #pop(): number {
    const heap = this.#ticks
    const top = heap[0]!
    const last = heap.pop()!
    const n = heap.length
    if (n === 0) return top
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const c = l + 1 < n && heap[l + 1]! < heap[l]! ? l + 1 : l
      if (heap[c]! >= last) break
      heap[i] = heap[c]!
      i = c
    }
    heap[i] = last
    return top
  }
}

import { SLOT_SIZE, type Swiotlb, type SwiotlbStats } from '../index.js'
import { debugfsUsed } from './debugfs-used.js'

/** Pool usage and the wait queue over time, one point per interval: what the report draws. */
export interface Timeline {
  intervalMs: number
  /** End of each interval, ms. */
  atMs: number[]
  /** Debugfs `io_tlb_used` at the end of the interval (sampled): live transient pools included. */
  usedBytes: number[]
  /** Exact high-water mark so far, transient pools included as in the run's `hiwater.exact`. */
  hiwaterBytes: number[]
  /** Default and dynamic pools plus live transient pools. */
  capacityBytes: number[]
  /** The high mark (high × capacity) for policies that have one. */
  thresholdBytes: number[] | undefined
  /** Longest wait queue seen during the interval. */
  waiting: number[]
  /** I/O errors and failed imports during the interval (the report marks them on the usage chart). */
  errors: number[]
}

/** Collects a Timeline from a Swiotlb's `usage$` and `waitQueue$` until `stop()`. */
export class TimelineRecorder {
  readonly timeline: Timeline
  readonly #stops: Array<() => void> = []
  #queueMax = 0
  #errorsBefore = 0
  readonly #sample: (s: SwiotlbStats) => void
  readonly #dma: Swiotlb
  readonly #errorCount: () => number

  /**
   * `errorCount`: errors so far in the run (each sample records how many came since the last).
   * `hiwaterSlots`: the exact mark with transient pools (PoolBytesTracker) for policies that grow;
   * else `stats().hiwater`, which then is the same.
   */
  constructor(
    dma: Swiotlb,
    intervalMs: number,
    high: number | undefined,
    errorCount: () => number = () => 0,
    hiwaterSlots?: () => number,
  ) {
    this.#dma = dma
    this.#errorCount = errorCount
    const t: Timeline = {
      intervalMs,
      atMs: [],
      usedBytes: [],
      hiwaterBytes: [],
      capacityBytes: [],
      thresholdBytes: high === undefined ? undefined : [],
      waiting: [],
      errors: [],
    }
    this.timeline = t
    const queue = dma.waitQueue$.subscribe((q) => {
      if (q.length > this.#queueMax) this.#queueMax = q.length
    })
    this.#sample = (s) => {
      t.atMs.push(s.at)
      t.usedBytes.push(debugfsUsed(s) * SLOT_SIZE)
      t.hiwaterBytes.push(Math.max(s.hiwater, hiwaterSlots?.() ?? 0) * SLOT_SIZE)
      t.capacityBytes.push((s.nslabs + s.transientNslabs) * SLOT_SIZE)
      t.thresholdBytes?.push(Math.floor((high ?? 0) * s.nslabs) * SLOT_SIZE)
      t.waiting.push(Math.max(this.#queueMax, s.throttle.waiting))
      this.#queueMax = s.throttle.waiting
      const errors = errorCount()
      t.errors.push(errors - this.#errorsBefore)
      this.#errorsBefore = errors
    }
    const usage = dma.usage$(intervalMs).subscribe(this.#sample)
    this.#stops.push(
      () => queue.unsubscribe(),
      () => usage.unsubscribe(),
    )
  }

  /**
   * Stops sampling; takes a last sample when float steps left the final interval without one, else
   * counts errors since the last sample in the last interval.
   */
  stop(): void {
    for (const stop of this.#stops.splice(0)) stop()
    const t = this.timeline
    const last = t.atMs.at(-1) ?? 0
    const s = this.#dma.stats()
    if (s.at - last > t.intervalMs / 2) this.#sample(s)
    else this.countLateErrors()
  }

  /** Counts errors since the last sample (I/Os that failed after the run's end) in the last interval. */
  countLateErrors(): void {
    const t = this.timeline
    if (t.errors.length === 0) return
    const errors = this.#errorCount()
    t.errors[t.errors.length - 1]! += errors - this.#errorsBefore
    this.#errorsBefore = errors
  }
}

import { SLOT_SIZE, type Swiotlb } from '../index.js'

/** Pool usage and the wait queue over time, one point per interval: what the report draws. */
export interface Timeline {
  intervalMs: number
  /** End of each interval, ms. */
  atMs: number[]
  /** `used` at the end of the interval (sampled). */
  usedBytes: number[]
  /** Exact high-water mark so far. */
  hiwaterBytes: number[]
  /** Default and dynamic pools plus live transient pools. */
  capacityBytes: number[]
  /** The high mark (high × capacity) for policies that have one. */
  thresholdBytes: number[] | undefined
  /** Longest wait queue seen during the interval. */
  waiting: number[]
}

/** Collects a Timeline from a Swiotlb's `usage$` and `waitQueue$` until `stop()`. */
export class TimelineRecorder {
  readonly timeline: Timeline
  readonly #stops: Array<() => void> = []
  #queueMax = 0

  constructor(dma: Swiotlb, intervalMs: number, high: number | undefined) {
    const t: Timeline = {
      intervalMs,
      atMs: [],
      usedBytes: [],
      hiwaterBytes: [],
      capacityBytes: [],
      thresholdBytes: high === undefined ? undefined : [],
      waiting: [],
    }
    this.timeline = t
    const queue = dma.waitQueue$.subscribe((q) => {
      if (q.length > this.#queueMax) this.#queueMax = q.length
    })
    const usage = dma.usage$(intervalMs).subscribe((s) => {
      t.atMs.push(s.at)
      t.usedBytes.push(s.used * SLOT_SIZE)
      t.hiwaterBytes.push(s.hiwater * SLOT_SIZE)
      t.capacityBytes.push((s.nslabs + s.transientNslabs) * SLOT_SIZE)
      t.thresholdBytes?.push(Math.floor((high ?? 0) * s.nslabs) * SLOT_SIZE)
      t.waiting.push(Math.max(this.#queueMax, s.throttle.waiting))
      this.#queueMax = s.throttle.waiting
    })
    this.#stops.push(
      () => queue.unsubscribe(),
      () => usage.unsubscribe(),
    )
  }

  stop(): void {
    for (const stop of this.#stops.splice(0)) stop()
  }
}

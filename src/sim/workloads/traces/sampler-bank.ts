import { ArgumentRangeError } from '../../../errors.js'
/**
 * Samplers that read pool usage every interval, at several phases each, fed the usage changes as they
 * happen: the maxima `UsageTrace.sampledMax` reads from a record of every change, without keeping the
 * record, so that a trace of any length is sampled in constant memory.
 *
 * Sampler j of interval I reads at j·I/offsets + k·I (k = 0, 1, …), as UsageTrace does, and a read at
 * time t sees every change made before t; a change at the same instant comes after it.
 */
export class SamplerBank {
  readonly intervalsMs: readonly number[]
  readonly offsets: number
  /** Next read of sampler (i, j), as its k, at [i × offsets + j]. */
  readonly #k: number[]
  readonly #max: number[]
  /** The earliest next read of any sampler. */
  #due = 0
  #used = 0
  #peak = 0
  #lastAt = 0

  constructor(intervalsMs: readonly number[], offsets: number) {
    for (const ms of intervalsMs) {
      if (!(ms > 0 && Number.isFinite(ms))) {
        throw new ArgumentRangeError('intervalsMs', 'sampling intervals of more than 0 ms', ms)
      }
    }
    if (!Number.isSafeInteger(offsets) || offsets < 1) {
      throw new ArgumentRangeError('offsets', 'a whole number from 1', offsets)
    }
    this.intervalsMs = intervalsMs
    this.offsets = offsets
    this.#k = new Array<number>(intervalsMs.length * offsets).fill(0)
    this.#max = new Array<number>(intervalsMs.length * offsets).fill(0)
  }

  /** Usage now, its largest value so far (the exact mark of what was fed), and the last change's time. */
  get used(): number {
    return this.#used
  }
  get peak(): number {
    return this.#peak
  }
  get lastAt(): number {
    return this.#lastAt
  }

  /** Usage changes by `delta` at `atMs` (never earlier than the last change). */
  change(atMs: number, delta: number): void {
    if (atMs >= this.#due) this.#read(atMs)
    this.#used += delta
    if (this.#used > this.#peak) this.#peak = this.#used
    this.#lastAt = atMs
  }

  /** Every sampler's largest read, `[interval][offset]`, with reads up to `endMs` of the final usage. */
  finish(endMs: number): number[][] {
    this.#read(endMs)
    return this.intervalsMs.map((_, i) => this.#max.slice(i * this.offsets, (i + 1) * this.offsets))
  }

  /** The reads at or before `atMs` not yet made all see the current usage: one max each, then skip past. */
  #read(atMs: number): void {
    let due = Number.POSITIVE_INFINITY
    this.intervalsMs.forEach((interval, i) => {
      for (let j = 0; j < this.offsets; j++) {
        const s = i * this.offsets + j
        // The same float expression as UsageTrace.sampledMax, so that both read at the same instants.
        const phase = (interval * j) / this.offsets
        let k = this.#k[s]!
        if (phase + k * interval <= atMs) {
          if (this.#used > this.#max[s]!) this.#max[s] = this.#used
          k = Math.max(k + 1, Math.floor((atMs - phase) / interval))
          while (phase + k * interval <= atMs) k++
          this.#k[s] = k
        }
        const next = phase + k * interval
        if (next < due) due = next
      }
    })
    this.#due = due
  }
}

import { ArgumentRangeError } from '../errors.js'

const SUB = 64
const SIZE = 2 * SUB * 26 // covers values up to 2^32 units

/**
 * A log-linear histogram (HdrHistogram's layout): exact below 128 units, then 64 buckets per power of
 * two, so a percentile is within 1/64 (1.6 %) of the true value. `count`, `min`, `max` and `sum` are
 * exact. Values are recorded in `unit`s of the caller's scale (e.g. 0.001 for milliseconds kept as µs).
 */
export class Histogram {
  readonly #counts = new Float64Array(SIZE)
  count = 0
  sum = 0
  min = Number.POSITIVE_INFINITY
  max = 0

  /** `scale` converts a recorded value into histogram units: 1000 records milliseconds at µs precision. */
  constructor(readonly scale = 1) {
    if (typeof scale !== 'number' || !Number.isFinite(scale) || !(scale > 0))
      throw new ArgumentRangeError('scale', 'a finite number > 0', scale)
  }

  record(value: number): void {
    this.count++
    this.sum += value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
    this.#counts[bucketOf(value * this.scale)]!++
  }

  /** The value at percentile `p` (0..100), in the recorded scale; 0 when empty. */
  percentile(p: number): number {
    if (typeof p !== 'number' || !(p >= 0 && p <= 100))
      throw new ArgumentRangeError('p', 'a percentile from 0 to 100', p)
    if (this.count === 0) return 0
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    let seen = 0
    for (let i = 0; i < SIZE; i++) {
      seen += this.#counts[i]!
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, bucketValue(i) / this.scale))
    }
    return this.max
  }

  reset(): void {
    this.#counts.fill(0)
    this.count = 0
    this.sum = 0
    this.min = Number.POSITIVE_INFINITY
    this.max = 0
  }
}

function bucketOf(units: number): number {
  const v = units >= 4294967295 ? 4294967295 : units <= 0 ? 0 : Math.round(units)
  if (v < 2 * SUB) return v
  const shift = 31 - Math.clz32(v) - 6
  return shift * SUB + (v >>> shift)
}

/** The midpoint of a bucket, in units. */
function bucketValue(index: number): number {
  if (index < 2 * SUB) return index
  const shift = Math.floor(index / SUB) - 1
  const mantissa = index - shift * SUB
  return mantissa * 2 ** shift + (2 ** shift - 1) / 2
}

import { ArgumentRangeError, ArgumentTypeError } from '../errors.js'

const SUB = 64
/** Largest unit value kept apart; anything above (2^53 µs is 285 years) shares the top bucket. */
const TOP = Number.MAX_SAFE_INTEGER
const SIZE = (53 - 6) * SUB + 2 * SUB // exponents 7..52, 64 buckets each, after 128 exact ones

/**
 * A log-linear histogram (HdrHistogram's layout): exact below 128 units, then 64 buckets per power of
 * two, so a percentile is within 1/64 (1.6 %) of the true value, or half a unit (values are rounded to
 * whole units), whichever is larger, up to 2^53 units. `count`, `min`, `max` and `sum` are exact.
 * Values are recorded in units of the caller's scale (e.g. 1000 for milliseconds kept as µs).
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

  /** Records `value` (a finite number >= 0, in the caller's scale); anything else throws and changes nothing. */
  record(value: number): void {
    if (typeof value !== 'number') throw new ArgumentTypeError('value', 'a finite number >= 0', value)
    if (!(value >= 0 && value <= Number.MAX_VALUE))
      throw new ArgumentRangeError('value', 'a finite number >= 0', value)
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
    const rank = Math.max(1, rankOf(p, this.count))
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

/**
 * ceil(p% × count), with p taken as written: p / 100 × count is not exact in binary (99.9 / 100 × 1000
 * is 999.0000000000001), and ceil would turn that noise into the next rank, perhaps an outlier.
 */
function rankOf(p: number, count: number): number {
  const r = (p * count) / 100
  const whole = Math.round(r)
  return Math.abs(r - whole) <= 1e-9 * Math.max(1, whole) ? whole : Math.ceil(r)
}

function bucketOf(units: number): number {
  const v = units >= TOP ? TOP : units <= 0 ? 0 : Math.round(units)
  if (v < 2 * SUB) return v
  if (v < 2 ** 32) {
    const shift = 31 - Math.clz32(v) - 6
    return shift * SUB + (v >>> shift)
  }
  // Past 32 bits: the exponent from log2, corrected where rounding put it one off near a power of two.
  let exp = Math.floor(Math.log2(v))
  if (2 ** exp > v) exp--
  else if (2 ** (exp + 1) <= v) exp++
  const shift = exp - 6
  return shift * SUB + Math.floor(v / 2 ** shift)
}

/** The midpoint of a bucket, in units. */
function bucketValue(index: number): number {
  if (index < 2 * SUB) return index
  const shift = Math.floor(index / SUB) - 1
  const mantissa = index - shift * SUB
  return mantissa * 2 ** shift + (2 ** shift - 1) / 2
}

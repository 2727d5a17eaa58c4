import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentRangeError, ArgumentTypeError, Histogram } from '../src/index.js'
import { params } from './helpers/fc-params.js'

/** The nearest-rank percentile (the histogram's definition): the ceil(p% × n)-th smallest, at least the 1st. */
function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!
}

function histogramOf(values: readonly number[], scale = 1): Histogram {
  const h = new Histogram(scale)
  for (const v of values) h.record(v)
  return h
}

describe('Histogram', () => {
  it('is empty at first: count 0, every percentile 0', () => {
    const h = new Histogram()
    expect([h.count, h.sum, h.max, h.min]).toEqual([0, 0, 0, Number.POSITIVE_INFINITY])
    expect([0, 50, 99, 100].map((p) => h.percentile(p))).toEqual([0, 0, 0, 0])
  })

  it('keeps count, sum, min and max exact', () => {
    const h = histogramOf([300, 7, 12_345.5, 7, 1])
    expect([h.count, h.sum, h.min, h.max]).toEqual([5, 12_660.5, 1, 12_345.5])
  })

  it('is exact below 128 units: 1..100 gives p50 = 50, p99 = 99, p0 = 1, p100 = 100', () => {
    const h = histogramOf(Array.from({ length: 100 }, (_, i) => 100 - i)) // order does not matter
    expect([0, 1, 50, 99, 99.5, 100].map((p) => h.percentile(p))).toEqual([1, 1, 50, 99, 100, 100])
  })

  it('answers above 128 units with the midpoint of a 1/64 bucket, clamped to [min, max]', () => {
    // 1000 lies in [512, 1024), cut into 64 buckets 8 wide: [1000, 1007], midpoint 1003.5.
    // 5000 and 6000 lie in [4096, 8192), buckets 64 wide: [4992, 5055] and [5952, 6015].
    const h = histogramOf([1000, 5000, 6000])
    expect([33, 66, 100].map((p) => h.percentile(p))).toEqual([1003.5, 5023.5, 5983.5])
    expect(h.max).toBe(6000) // max is exact, p100 is its bucket's midpoint
    expect(histogramOf([1000, 1001]).percentile(100)).toBe(1001) // clamped: 1003.5 > max
    expect(histogramOf([1000]).percentile(50)).toBe(1000) // so a lone value is exact
  })

  it('records in units of its scale: ms kept at µs precision', () => {
    const h = histogramOf([0.003, 0.002, 0.001, 0.0004], 1000) // 3, 2, 1 and 0.4 µs
    expect([25, 50, 75, 100].map((p) => h.percentile(p))).toEqual([0.0004, 0.001, 0.002, 0.003])
    expect(histogramOf([0.0004, 0.0006], 1000).percentile(50)).toBe(0.0004) // 0.4 µs rounds to 0, clamped
  })

  it('covers 0 to 2^53 units; past that, percentiles saturate in the top bucket (max stays exact)', () => {
    // 2^32 - 1 lies in [2^31, 2^32), buckets 2^25 wide: the last is [127 × 2^25, 2^32 - 1].
    const top32 = 127 * 2 ** 25 + (2 ** 25 - 1) / 2
    const edge = histogramOf([0, 0, 2 ** 32 - 1])
    expect([edge.percentile(50), edge.percentile(100), edge.max]).toEqual([0, top32, 2 ** 32 - 1])
    // 2^40 has its own bucket [2^40, 2^40 + 2^34 - 1]: p50 of [2^40, 2^40 + 2^35] is its midpoint.
    const past = histogramOf([2 ** 40, 2 ** 40 + 2 ** 35])
    expect([past.percentile(50), past.percentile(100)]).toEqual([
      2 ** 40 + (2 ** 34 - 1) / 2,
      2 ** 40 + 2 ** 35,
    ])
    const beyond = histogramOf([2 ** 60, 2 ** 61])
    expect([beyond.percentile(50), beyond.max]).toEqual([2 ** 60, 2 ** 61]) // saturated, clamped to min
  })

  it('refuses a value that is not a finite number >= 0, naming it, and changes nothing', () => {
    const h = new Histogram()
    h.record(3)
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(() => h.record(bad)).toThrow(ArgumentRangeError)
      expect(() => h.record(bad)).toThrow(String(bad))
    }
    expect(() => h.record('5' as unknown as number)).toThrow(ArgumentTypeError)
    expect([h.count, h.sum, h.min, h.max, h.percentile(50)]).toEqual([1, 3, 3, 3, 3])
  })

  it('reset() forgets everything', () => {
    const h = histogramOf([5, 500, 50_000])
    h.reset()
    expect([h.count, h.sum, h.max, h.min, h.percentile(50)]).toEqual([0, 0, 0, Number.POSITIVE_INFINITY, 0])
    h.record(9)
    expect([h.count, h.percentile(50)]).toEqual([1, 9])
  })

  it('is within 1/64 of the nearest-rank percentile (property)', () => {
    const value = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
    const p = fc.constantFrom(0, 1, 25, 50, 90, 99, 99.9, 100)
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 200 }), p, (values, pct) => {
        const h = histogramOf(values)
        const sorted = [...values].sort((a, b) => a - b)
        const truth = nearestRank(sorted, pct)
        const got = h.percentile(pct)
        expect(Math.abs(got - truth)).toBeLessThanOrEqual(truth / 64)
        if (truth < 128) expect(got).toBe(truth)
        expect(got).toBeGreaterThanOrEqual(sorted[0]!)
        expect(got).toBeLessThanOrEqual(sorted.at(-1)!)
        expect(h.count).toBe(values.length)
      }),
      params(300),
    )
  })
})

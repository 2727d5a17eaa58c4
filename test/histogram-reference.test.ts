import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Histogram } from '../src/index.js'
import { params } from './helpers/fc-params.js'

/**
 * The reference, written plainly: sort, then take the nearest rank. `hundredths` is p × 100 (p = 99.9
 * is 9990), so the rank ceil(p% × n) is whole-number arithmetic with no rounding noise.
 */
function reference(values: readonly number[], hundredths: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  let rank = Math.floor((hundredths * n) / 10_000)
  if ((hundredths * n) % 10_000 !== 0) rank += 1
  if (rank < 1) rank = 1
  return sorted[rank - 1]!
}

/** Waits in ms as a pool records them (scale 1000, µs units): 0, sub-µs, sub-ms, hours, years. */
const waitMs = fc.oneof(
  fc.constant(0),
  fc.double({ min: 0, max: 0.002, noNaN: true }),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.integer({ min: 0, max: 10_000 }),
  fc.double({ min: 1e6, max: 1e12, noNaN: true }), // 17 minutes to 31 years
)
const pct = fc.constantFrom(0, 1, 2500, 5000, 9000, 9900, 9990, 9999, 10_000)

describe('Histogram against a sorted-array reference', () => {
  it('is within 1/64 of the value, or half a unit, at any percentile (property)', () => {
    const values = fc.oneof(
      fc.array(waitMs, { minLength: 1, maxLength: 300 }),
      // Many equal values with a few outliers: a rank off by one lands on an outlier.
      fc
        .tuple(waitMs, fc.integer({ min: 1, max: 3000 }), fc.array(waitMs, { maxLength: 3 }))
        .map(([v, n, rest]) => [...Array.from({ length: n }, () => v), ...rest]),
    )
    fc.assert(
      fc.property(values, pct, (vs, hundredths) => {
        const h = new Histogram(1000)
        for (const v of vs) h.record(v)
        const truth = reference(vs, hundredths)
        const got = h.percentile(hundredths / 100)
        expect(Math.abs(got - truth)).toBeLessThanOrEqual(Math.max(truth / 64, 0.0005))
      }),
      params(300),
    )
  })

  it('takes p as written: p99.9 of 999 ones and one 1e6 is 1 (rank 999, not 1000)', () => {
    const h = new Histogram(1)
    for (let i = 0; i < 999; i++) h.record(1)
    h.record(1_000_000)
    expect(h.percentile(99.9)).toBe(1)
  })

  it('keeps waits of hours and years within 1/64: 2 h and 3 h are told apart', () => {
    const h = new Histogram(1000)
    for (const v of [7_200_000, 7_200_000, 10_800_000]) h.record(v)
    expect(Math.abs(h.percentile(50) - 7_200_000)).toBeLessThanOrEqual(7_200_000 / 64)
    expect(h.percentile(100)).toBe(10_800_000) // clamped to the exact max
  })
})

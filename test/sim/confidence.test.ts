import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { confidenceLine } from '../../src/sim/index.js'
import { params } from '../helpers/fc-params.js'

/**
 * The textbook bound, written here from its definition rather than from the code's formula: with 0
 * failures in n independent runs, the one-sided 95 % upper confidence bound on the failure probability
 * p (Clopper–Pearson for x = 0) is the p at which seeing 0 failures has probability 5 %:
 * P(X = 0 | p) = (1 − p)^n = 0.05. Solved by bisection: (1 − p)^n falls as p grows.
 */
function upperBound95(n: number): number {
  let lo = 0
  let hi = 1
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2
    if ((1 - mid) ** n > 0.05) lo = mid
    else hi = mid
  }
  return hi
}

/** The percentage a confidence line states: "… below 3/n = X % …" or "… below 3/n < X % …". */
function statedPct(line: string, n: number): { sign: string; pct: number } {
  const m = new RegExp(`below 3/${n} ([=<]) ([0-9.]+) % at 95 % confidence$`).exec(line)
  expect(m, line).not.toBeNull()
  return { sign: m![1]!, pct: Number(m![2]) }
}

describe('confidenceLine: the stated bound is a true 95 % upper bound', () => {
  it('never states a percentage below the exact bound, nor below 3/n (any n)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 1_000_000 }), (n) => {
        const { sign, pct } = statedPct(confidenceLine(0, n), n)
        const ruleOfThreePct = 300 / n
        // p < 3/n ≤ stated: the line is a bound, so the printed figure may round up, never down.
        expect(pct).toBeGreaterThanOrEqual(ruleOfThreePct)
        expect(pct).toBeGreaterThan(100 * upperBound95(n))
        // "=" only where the figure is 3/n exactly; and no coarser than two significant digits.
        expect(sign === '=').toBe(pct * n === 300 || Math.abs(pct * n - 300) < 1e-9)
        expect(pct - ruleOfThreePct).toBeLessThan(ruleOfThreePct / 10)
      }),
      params(500),
    )
  })

  it('rounds up where 3/n is not a round figure (these used to round down past the bound)', () => {
    // 3/2000 = 0.15 %, printed "0.1 %" before; the exact bound is 0.1497 %.
    expect(statedPct(confidenceLine(0, 2000), 2000)).toEqual({ sign: '=', pct: 0.15 })
    // 3/118 = 2.54 %, printed "2.5 %"; the exact bound is 2.51 %.
    expect(confidenceLine(0, 118)).toBe(
      '0 failures in 118 runs: the failure probability per run is below 3/118 < 2.6 % at 95 % confidence',
    )
    // 3/7000 = 0.043 %, printed "0 %".
    expect(statedPct(confidenceLine(0, 7000), 7000)).toEqual({ sign: '<', pct: 0.043 })
    // 3/17 = 17.65 %, printed "17.6 %".
    expect(statedPct(confidenceLine(0, 17), 17)).toEqual({ sign: '<', pct: 17.7 })
    // Round figures keep "=": the defaults and the docs' advice.
    expect(statedPct(confidenceLine(0, 20), 20)).toEqual({ sign: '=', pct: 15 })
    expect(statedPct(confidenceLine(0, 60), 60)).toEqual({ sign: '=', pct: 5 })
    expect(statedPct(confidenceLine(0, 300), 300)).toEqual({ sign: '=', pct: 1 })
  })

  it('refuses a failure count that is not a whole number in [0, runs], with the value', () => {
    for (const bad of [-1, 1.5, 21, Number.NaN]) {
      expect(() => confidenceLine(bad, 20)).toThrow(
        expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', message: expect.stringContaining('`failures`') }),
      )
    }
    expect(() => confidenceLine(-1, 20)).toThrow('got -1 (number)')
    expect(confidenceLine(20, 20)).toBe('20 failures in 20 runs: not a healthy size')
  })
})

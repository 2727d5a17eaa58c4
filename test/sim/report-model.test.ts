import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { renderChart } from '../../src/report/charts.js'
import { checkClaim } from '../../src/report/claim-checks.js'
import { clatCdfChart } from '../../src/report/comparison-charts.js'
import { coincident, policyLineSeries } from '../../src/report/policy-lines.js'
import { type SizingRun, sizingCurves } from '../../src/report/sizing.js'
import { sizingChart, sizingRange } from '../../src/report/sizing-chart.js'
import { errorMarks } from '../../src/report/usage-chart.js'
import {
  FIO_PERCENTILES,
  findScenario,
  parseSpec,
  runSpec,
  type SimResult,
  type SimSpec,
} from '../../src/sim/index.js'

const MIB = 1024 * 1024

describe('sizing curves: runs grouped by policy and pool size', () => {
  const runs: SizingRun[] = [
    { policy: 'throttle', poolBytes: 2 * MIB, seed: 2, healthy: true, mibps: 100 },
    { policy: 'fail', poolBytes: 4 * MIB, seed: 1, healthy: true, mibps: 200 },
    { policy: 'fail', poolBytes: 2 * MIB, seed: 1, healthy: false, mibps: 3 },
    { policy: 'fail', poolBytes: 4 * MIB, seed: 2, healthy: true, mibps: 210.05 },
    { policy: 'throttle', poolBytes: 2 * MIB, seed: 1, healthy: true, mibps: 90 },
    { policy: 'fail', poolBytes: 2 * MIB, seed: 2, healthy: true, mibps: 150 },
  ]
  const answers = new Map([
    ['fail', 4 * MIB],
    ['throttle', 2 * MIB],
  ] as const)

  it('counts failing seeds and averages MiB/s over the healthy seeds only', () => {
    expect(sizingCurves(runs, ['fail', 'throttle'], answers, new Map([['fail', 220]]))).toEqual([
      {
        policy: 'fail',
        points: [
          { poolBytes: 2 * MIB, runs: 2, failing: 1, mibps: 150 },
          { poolBytes: 4 * MIB, runs: 2, failing: 0, mibps: 205 },
        ],
        answerBytes: 4 * MIB,
        unconstrainedMibps: 220,
      },
      {
        policy: 'throttle',
        points: [{ poolBytes: 2 * MIB, runs: 2, failing: 0, mibps: 95 }],
        answerBytes: 2 * MIB,
        unconstrainedMibps: null,
      },
    ])
  })

  it('is the same whatever order the runs finished in (workers)', () => {
    const expected = sizingCurves(runs, ['fail', 'throttle'], answers)
    fc.assert(
      fc.property(fc.shuffledSubarray(runs, { minLength: runs.length }), (order) => {
        expect(sizingCurves(order, ['fail', 'throttle'], answers)).toEqual(expected)
      }),
    )
  })

  it('draws the answer as a vertical line per distinct size, labelled with every policy that has it', () => {
    const curves = sizingCurves(runs, ['fail', 'throttle'], answers)
    expect(sizingRange(curves)).toEqual({ min: 1, max: 4 })
    const chart = sizingChart('t', curves, 2)
    const series = chart.option.series as Array<{
      markLine?: { data: Array<{ xAxis: number; label: { formatter?: string } }> }
    }>
    expect(series[0]!.markLine!.data.map((d) => [d.xAxis, d.label.formatter])).toEqual([
      [2, 'throttle: 2.0 MiB'],
      [4, 'fail: 4.0 MiB'],
    ])
    expect(series[2]!.markLine!.data.map((d) => d.xAxis)).toEqual([2, 4]) // the failures panel too
  })
})

describe('lines that coincide are named in the legend', () => {
  it('finds exact and near coincidence, always naming the first line of a group', () => {
    const same = Array.from({ length: 20 }, (_, i) => i)
    const near = same.map((v, i) => (i === 0 ? 99 : v))
    const lines = [
      { policy: 'fail' as const, data: [0, 0, 0] },
      { policy: 'throttle' as const, data: same },
      { policy: 'dynamic' as const, data: [0, 0, 0] },
      { policy: 'hybrid' as const, data: near },
      { policy: 'rfc' as const, data: same.map((v) => v + 1) },
    ]
    expect(coincident(lines)).toEqual([
      undefined,
      undefined,
      { with: 'fail', exact: true },
      { with: 'throttle', exact: false },
      undefined,
    ])
    const { names, series } = policyLineSeries(lines)
    expect(names).toEqual(['fail', 'throttle', 'dynamic = fail', 'hybrid ≈ throttle', 'rfc'])
    const widths = series.map((s) => (s as { lineStyle: { width: number; type?: string } }).lineStyle)
    expect(widths).toEqual([
      { width: 6, opacity: 0.35 },
      { width: 6, opacity: 0.35 },
      { width: 1.5, type: 'dashed' },
      { width: 1.5, type: 'dashed' },
      { width: 1.5 },
    ])
  })
})

describe('a page depends only on its charts', () => {
  it('draws the same chart to the same bytes, however many charts the process drew before', async () => {
    const chart = {
      title: '',
      caption: '',
      width: 200,
      height: 100,
      option: {
        xAxis: { type: 'value' as const },
        yAxis: { type: 'value' as const },
        series: [
          {
            type: 'line' as const,
            data: [
              [1, 2],
              [2, 3],
            ],
          },
        ],
      },
    }
    const first = await renderChart(chart, 'x')
    expect(await renderChart(chart, 'x')).toBe(first)
    expect(first).not.toMatch(/zr\d/)
    expect(first).toContain('class="x-0"')
  })
})

describe('error marks on the usage charts', () => {
  it('marks each interval with errors once, at the top of the axis', () => {
    expect(errorMarks([10, 20, 30, 40], [0, 3, 0, 1], 50)).toEqual({
      points: [
        [20, 48],
        [40, 48],
      ],
      total: 4,
    })
  })
})

describe('report parts from a small deterministic run (coco-fio, 400 ms)', () => {
  let spec: SimSpec
  let result: SimResult
  beforeAll(async () => {
    spec = { ...parseSpec(findScenario('coco-fio').spec), runtimeMs: 400, policies: ['fail', 'throttle'] }
    result = await runSpec(spec)
  }, 60_000)

  it("the timeline's error counts add up to the run's errors, in the intervals they happened", () => {
    const fail = result.series.fail!.timeline
    expect(fail.errors).toHaveLength(fail.atMs.length)
    expect(fail.errors.reduce((a, b) => a + b, 0)).toBe(result.policies.fail!.ioErrors)
    expect(result.policies.fail!.ioErrors).toBeGreaterThan(0)
    // No error before the pool had (nearly) filled: its high-water mark within 4 MiB of capacity.
    fail.errors.forEach((n, i) => {
      if (n > 0) expect(fail.hiwaterBytes[i]).toBeGreaterThan(fail.capacityBytes[i]! - 4 * MIB)
    })
    expect(result.series.throttle!.timeline.errors.every((n) => n === 0)).toBe(true)
  })

  it('the CDF has one point per fio percentile, from the run’s own percentiles', () => {
    const chart = clatCdfChart(result)
    const series = chart.option.series as Array<{ name: string; data: Array<[number, number]> }>
    expect(series.map((s) => s.name)).toEqual(['fail', 'throttle'])
    for (const s of series) {
      const clat = result.policies[s.name as 'fail']!.clatUs
      expect(s.data).toEqual(FIO_PERCENTILES.map((p) => [Math.max(1, clat[p.toFixed(2)]!), p]))
    }
  })

  it('the claim box holds where the claim does, and says which part failed where it does not', () => {
    const held = checkClaim('coco-fio', result, spec)
    expect(held.verdict).toBe('held')
    expect(held.findings.map((f) => f.ok)).toEqual([true, true, true])
    // Had fail had no error, the claim's first part would be refuted, and the box would say which.
    const big = {
      ...result,
      policies: { ...result.policies, fail: { ...result.policies.fail!, ioErrors: 0 } },
    }
    const refuted = checkClaim('coco-fio', big, spec)
    expect(refuted.verdict).toBe('did not hold')
    expect(refuted.findings[0]).toEqual({
      says: 'fail: I/Os fail',
      ok: false,
      shows: '0 I/O errors, 0 stuck',
    })
    // A spec named after a member of Object.prototype has no claim (it found Object's, not iterable).
    expect(checkClaim('constructor', result, spec).verdict).toBe('not checked')
    // A run without throttle cannot check the claim in full.
    const partial = { ...result, policies: { fail: result.policies.fail! } }
    expect(checkClaim('coco-fio', partial, spec)).toMatchObject({
      verdict: 'not checked',
      unchecked: [
        'throttle: no I/O error, none stuck (the run has no throttle)',
        expect.stringContaining('(the run has no throttle)'),
      ],
    })
    expect(checkClaim('no-such-scenario', result, spec).verdict).toBe('not checked')
  })
})

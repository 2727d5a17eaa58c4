import { FIO_PERCENTILES, findPolicy, MAP_WAIT_CURVE, type PolicyName, type SimResult } from '../sim/index.js'
import { BASE, type ChartSpec, LEGEND, MIB, pairs, timeAxis } from './charts.js'
import { policyLineSeries } from './policy-lines.js'
import { policiesOf } from './summary.js'

/** 'fail and dynamic' for a list of names. */
export function listOf(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

/** ' Lines that coincide are named "b = a" in the legend.' where some do. */
function sameNote(names: readonly string[]): string {
  return names.some((n) => / [=≈] /.test(n))
    ? ' Lines that coincide are named "b = a" (every point) or "b ≈ a" (nearly) in the legend, drawn dashed over wide.'
    : ''
}

/** Waiters in the throttle's queue over time, one line per policy that has a queue. */
export function queueChart(result: SimResult): ChartSpec {
  const never: string[] = []
  const lines: Array<{ policy: PolicyName; data: Array<[number, number]> }> = []
  for (const [policy] of policiesOf(result)) {
    if (!findPolicy(policy)!.queues) never.push(policy)
    else {
      const { timeline } = result.series[policy]!
      lines.push({ policy, data: pairs(timeline.atMs, timeline.waiting) })
    }
  }
  const { series, names } = policyLineSeries(lines, { showSymbol: false, step: 'end' })
  const neverQueue =
    never.length === 0 ? '' : ` ${listOf(never)} never ${never.length === 1 ? 'queues' : 'queue'}.`
  return {
    title: 'Wait-queue length over time',
    caption: `Longest queue of blocking maps in each interval.${neverQueue}${sameNote(names)}`,
    width: 1140,
    height: 280,
    option: {
      ...BASE,
      legend: LEGEND,
      grid: { left: 56, right: 24, top: 36, bottom: 44 },
      xAxis: timeAxis(result),
      yAxis: { type: 'value', name: 'waiters', minInterval: 1 },
      series,
    },
  }
}

/** Map wait at each percentile, per policy, on a log scale (waits under 1 µs are drawn at 1 µs). */
export function mapWaitChart(result: SimResult): ChartSpec {
  const labels = MAP_WAIT_CURVE.map((p) => (p === 100 ? 'max' : `p${p}`))
  const { series, names } = policyLineSeries(
    policiesOf(result).map(([policy]) => ({
      policy,
      data: result.series[policy]!.mapWaitCurveUs.map((us) => Math.max(1, us)),
    })),
  )
  return {
    title: 'Map wait percentiles',
    caption: `Time entry 0 of each block I/O spent in map (µs, log scale; under 1 µs drawn at 1 µs).${sameNote(names)}`,
    width: 560,
    height: 300,
    option: {
      ...BASE,
      legend: LEGEND,
      grid: { left: 76, right: 20, top: 52, bottom: 36 },
      xAxis: { type: 'category', data: labels, axisLabel: { interval: 0 } },
      yAxis: { type: 'log', name: 'µs', min: 1, logBase: 10 },
      series,
    },
  }
}

/**
 * Completion latency (issue to completion) as a cumulative distribution per policy: the share of
 * completed block I/Os at or below each latency, from fio's percentile list (1 … 99.99 %).
 */
export function clatCdfChart(result: SimResult): ChartSpec {
  const none: string[] = []
  const lines: Array<{ policy: PolicyName; data: Array<[number, number]> }> = []
  for (const [policy, r] of policiesOf(result)) {
    const points = FIO_PERCENTILES.map((p): [number, number] => [Math.max(1, r.clatUs[p.toFixed(2)] ?? 0), p])
    if (r.ios === 0 || points.every(([us]) => us <= 1)) none.push(policy)
    else lines.push({ policy, data: points })
  }
  const { series, names } = policyLineSeries(lines, { symbolSize: 4 })
  const xs = lines.flatMap((l) => l.data.map(([us]) => us))
  const decade = (us: number, round: (x: number) => number) => 10 ** round(Math.log10(us))
  const noIo = none.length === 0 ? '' : ` ${listOf(none)} completed no timed block I/O.`
  return {
    title: 'Completion latency CDF',
    caption: `Share of block I/Os completed within a latency (issue to completion, µs, log scale), fio's percentiles 1–99.99 %.${noIo}${sameNote(names)}`,
    width: 560,
    height: 300,
    option: {
      ...BASE,
      legend: LEGEND,
      grid: { left: 56, right: 24, top: 52, bottom: 44 },
      xAxis: {
        type: 'log',
        logBase: 10,
        name: 'µs',
        nameLocation: 'middle',
        nameGap: 26,
        ...(xs.length === 0
          ? {}
          : { min: decade(Math.min(...xs), Math.floor), max: decade(Math.max(...xs), Math.ceil) }),
      },
      yAxis: { type: 'value', name: '% of I/Os', min: 0, max: 100 },
      series,
    },
  }
}

/** Initial, grown and peak pool bytes per policy. */
export function poolBytesChart(result: SimResult): ChartSpec {
  const policies = policiesOf(result)
  const bar = (name: string, color: string, pick: (r: (typeof policies)[number][1]) => number) => ({
    type: 'bar' as const,
    name,
    color,
    data: policies.map(([, r]) => Math.round((pick(r) / MIB) * 10) / 10),
    label: { show: true, position: 'top' as const, fontSize: 10 },
  })
  return {
    title: 'Pool bytes',
    caption: 'Initial pool, bytes added by growth, and the peak of all pools together (transient included).',
    width: 560,
    height: 300,
    option: {
      ...BASE,
      legend: LEGEND,
      grid: { left: 56, right: 20, top: 40, bottom: 36 },
      xAxis: { type: 'category', data: policies.map(([p]) => p) },
      yAxis: { type: 'value', name: 'MiB', min: 0 },
      series: [
        bar('initial', '#95a5a6', (r) => r.poolBytes.initial),
        bar('grown', '#d68910', (r) => r.poolBytes.grown),
        bar('peak', '#2c3e50', (r) => r.poolBytes.peak),
      ],
    },
  }
}

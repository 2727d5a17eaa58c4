import type { EChartsOption } from 'echarts'
import { findPolicy, MAP_WAIT_CURVE, POLICY_SUMMARY, type PolicyName, type SimResult } from '../sim/index.js'
import { policiesOf } from './summary.js'

/** One chart of the report: an ECharts option and its size in CSS pixels. */
export interface ChartSpec {
  title: string
  caption: string
  width: number
  height: number
  option: EChartsOption
}

/** A policy's fixed colour, the same in every chart (from the policy registry). */
function colorOf(policy: PolicyName): string {
  return findPolicy(policy)!.color
}

const MIB = 1024 * 1024
const BASE: EChartsOption = {
  animation: false,
  backgroundColor: '#ffffff',
  textStyle: { fontFamily: 'sans-serif' },
}

/** A round axis maximum at or above x (1, 1.2, 1.5, 2 … 8 × 10^k), so tick labels stay round. */
function niceCeil(x: number): number {
  if (!(x > 0)) return 1
  const step = 10 ** Math.floor(Math.log10(x))
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * step >= x) return m * step
  return 10 * step
}

/** The x axis of the charts over simulated time: 0 to the end of the run, in ms. */
function timeAxis(result: SimResult): NonNullable<EChartsOption['xAxis']> {
  return { type: 'value', name: 'ms', nameLocation: 'middle', nameGap: 26, min: 0, max: result.runtimeMs }
}

function pairs(xs: readonly number[], ys: readonly number[], scale = 1): Array<[number, number]> {
  return xs.map((x, i) => [Math.round(x * 10) / 10, Math.round(((ys[i] ?? 0) / scale) * 100) / 100])
}

/** Pool usage over time for one policy, against its threshold and capacity; the same y scale for all. */
export function usageChart(result: SimResult, policy: PolicyName, yMaxMiB: number): ChartSpec {
  const { timeline } = result.series[policy]!
  const t = timeline.atMs
  const line = { type: 'line' as const, showSymbol: false, animation: false }
  const series: NonNullable<EChartsOption['series']> = [
    {
      ...line,
      name: 'used',
      data: pairs(t, timeline.usedBytes, MIB),
      color: colorOf(policy),
      areaStyle: { opacity: 0.25 },
      lineStyle: { width: 1 },
    },
    {
      ...line,
      name: 'high-water mark',
      data: pairs(t, timeline.hiwaterBytes, MIB),
      color: '#555555',
      lineStyle: { width: 1, type: 'dashed' },
    },
    {
      ...line,
      name: 'capacity',
      data: pairs(t, timeline.capacityBytes, MIB),
      color: '#111111',
      step: 'end',
      lineStyle: { width: 2 },
    },
  ]
  if (timeline.thresholdBytes !== undefined) {
    series.push({
      ...line,
      name: 'threshold',
      data: pairs(t, timeline.thresholdBytes, MIB),
      color: '#e74c3c',
      step: 'end',
      lineStyle: { width: 1.5, type: 'dotted' },
    })
  }
  return {
    title: policy,
    caption: POLICY_SUMMARY[policy],
    width: 560,
    height: 260,
    option: {
      ...BASE,
      legend: { top: 4, left: 'center', itemWidth: 18, textStyle: { fontSize: 11 } },
      grid: { left: 52, right: 20, top: 36, bottom: 44 },
      xAxis: timeAxis(result),
      yAxis: { type: 'value', name: 'MiB', min: 0, max: niceCeil(yMaxMiB) },
      series,
    },
  }
}

/** Waiters in the throttle's queue over time, one line per policy that has a queue. */
export function queueChart(result: SimResult): ChartSpec {
  const series: NonNullable<EChartsOption['series']> = []
  const never: string[] = []
  for (const [policy] of policiesOf(result)) {
    if (!findPolicy(policy)!.queues) {
      never.push(policy)
      continue
    }
    const { timeline } = result.series[policy]!
    series.push({
      type: 'line',
      name: policy,
      showSymbol: false,
      step: 'end',
      color: colorOf(policy),
      data: pairs(timeline.atMs, timeline.waiting),
      lineStyle: { width: 1.5 },
    })
  }
  return {
    title: 'Wait-queue length over time',
    caption: `Longest queue of blocking maps in each interval.${neverQueue(never)}`,
    width: 1140,
    height: 280,
    option: {
      ...BASE,
      legend: { top: 4 },
      grid: { left: 56, right: 24, top: 36, bottom: 44 },
      xAxis: timeAxis(result),
      yAxis: { type: 'value', name: 'waiters', minInterval: 1 },
      series,
    },
  }
}

/** ' fail and dynamic never queue.' for the policies of a run that have no queue. */
function neverQueue(policies: readonly string[]): string {
  if (policies.length === 0) return ''
  const list =
    policies.length === 1 ? policies[0] : `${policies.slice(0, -1).join(', ')} and ${policies.at(-1)}`
  return ` ${list} never ${policies.length === 1 ? 'queues' : 'queue'}.`
}

/** Map wait at each percentile, per policy, on a log scale (waits under 1 µs are drawn at 1 µs). */
export function mapWaitChart(result: SimResult): ChartSpec {
  const labels = MAP_WAIT_CURVE.map((p) => (p === 100 ? 'max' : `p${p}`))
  const series: NonNullable<EChartsOption['series']> = policiesOf(result).map(([policy]) => ({
    type: 'line' as const,
    name: policy,
    color: colorOf(policy),
    symbolSize: 6,
    data: result.series[policy]!.mapWaitCurveUs.map((us) => Math.max(1, us)),
  }))
  return {
    title: 'Map wait percentiles',
    caption: 'Time entry 0 of each block I/O spent in map (µs, log scale; under 1 µs drawn at 1 µs).',
    width: 560,
    height: 300,
    option: {
      ...BASE,
      legend: { top: 4 },
      grid: { left: 64, right: 20, top: 40, bottom: 36 },
      xAxis: { type: 'category', data: labels, axisLabel: { interval: 0 } },
      yAxis: { type: 'log', name: 'µs', min: 1, logBase: 10 },
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
      legend: { top: 4 },
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

/** Renders a chart to an SVG string with ECharts' server-side SVG renderer (no DOM, no network). */
export async function renderChart(chart: ChartSpec): Promise<string> {
  const echarts = await import('echarts')
  const instance = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: chart.width,
    height: chart.height,
  })
  try {
    instance.setOption(chart.option)
    return instance.renderToSVGString()
  } finally {
    instance.dispose()
  }
}

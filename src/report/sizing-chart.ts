import type { XAXisComponentOption } from 'echarts'
import { BASE, type ChartSpec, colorOf, ERROR_COLOR, LEGEND, MIB, type SeriesList } from './charts.js'
import { mib } from './format.js'
import { coincident, policyLineSeries } from './policy-lines.js'
import type { SizingCurve } from './sizing.js'

/** Where the two panels of the sizing chart sit, px (the screenshot test finds the markers by it). */
export const SIZING_LAYOUT = {
  width: 1140,
  height: 560,
  left: 64,
  right: 32,
  top: { top: 70, height: 250 },
  bottom: { top: 380, height: 130 },
} as const

/** The x axis' range: powers of two around the sizes, MiB. */
export function sizingRange(curves: readonly SizingCurve[]): { min: number; max: number } {
  const sizes = curves.flatMap((c) => c.points.map((p) => p.poolBytes / MIB))
  if (sizes.length === 0) return { min: 1, max: 2 }
  // An octave of room below the smallest size, so that a marker there is not drawn on the y axis.
  const min = 2 ** (Math.floor(Math.log2(Math.min(...sizes))) - 1)
  const max = 2 ** Math.ceil(Math.log2(Math.max(...sizes)))
  return { min, max: max > min * 2 ? max : min * 4 }
}

/** 'left' near the left edge (first tenth of the log axis), 'right' near the right one, else centred. */
function edgeAlign(value: number, min: number, max: number): 'left' | 'right' | 'center' {
  const at = Math.log2(value / min) / Math.log2(max / min)
  return at < 0.1 ? 'left' : at > 0.9 ? 'right' : 'center'
}

/** Answers drawn as vertical lines; policies with the same answer share one line and one label. */
function answerGroups(curves: readonly SizingCurve[]): Array<{ bytes: number; policies: SizingCurve[] }> {
  const groups = new Map<number, SizingCurve[]>()
  for (const c of curves)
    if (c.answerBytes !== null) groups.set(c.answerBytes, [...(groups.get(c.answerBytes) ?? []), c])
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([bytes, policies]) => ({ bytes, policies }))
}

/**
 * The sizing chart: against the pool size (log scale), MiB/s of the healthy seeds on top and the
 * seeds that failed below, one line per policy; a vertical line marks each policy's answer, the
 * smallest size that met the criteria in every seed (and in the sizes just above it). Where failures
 * drop to zero and MiB/s levels off is the knee.
 */
export function sizingChart(title: string, curves: readonly SizingCurve[], seeds: number): ChartSpec {
  const L = SIZING_LAYOUT
  const { min, max } = sizingRange(curves)
  const x = (bytes: number) => Math.round((bytes / MIB) * 10000) / 10000
  const top = curves.map((c) => ({
    policy: c.policy,
    data: c.points.map((p): [number, number] | null => (p.mibps === null ? null : [x(p.poolBytes), p.mibps])),
  }))
  const bottom = curves.map((c) => ({
    policy: c.policy,
    data: c.points.map((p): [number, number] => [x(p.poolBytes), p.failing]),
  }))
  const same = coincident(
    curves.map((c, i) => ({ policy: c.policy, data: [top[i]!.data, bottom[i]!.data] as never })),
  )
  const answers = answerGroups(curves)
  const upper = policyLineSeries(top, { connectNulls: false, xAxisIndex: 0, yAxisIndex: 0 }, same)
  const lower = policyLineSeries(bottom, { step: 'middle', xAxisIndex: 1, yAxisIndex: 1 }, same)
  const marks = (withLabels: boolean) =>
    answers.map(({ bytes, policies }, i) => ({
      xAxis: x(bytes),
      lineStyle: {
        color: policies.length === 1 ? colorOf(policies[0]!.policy) : '#34495e',
        width: 2.5,
        type: 'solid' as const,
      },
      label: withLabels
        ? {
            show: true,
            position: 'end' as const,
            distance: i % 2 === 0 ? 4 : 20,
            // Near an edge of the plot the text runs inward, so that it is not cut off.
            align: edgeAlign(x(bytes), min, max),
            formatter: `${policies.map((c) => c.policy).join(', ')}: ${mib(bytes)}`,
            fontSize: 11,
            fontWeight: 'bold' as const,
          }
        : { show: false },
    }))
  const markLine = (withLabels: boolean) => ({
    symbol: 'none',
    silent: true,
    animation: false,
    data: marks(withLabels),
  })
  const series: SeriesList = [...upper.series, ...lower.series]
  // The markers ride on the first series of each panel, so they are drawn once.
  if (series.length > 0 && answers.length > 0) {
    Object.assign(series[0]!, { markLine: markLine(true) })
    Object.assign(series[curves.length]!, { markLine: markLine(false) })
  }
  for (const c of curves) {
    if (c.unconstrainedMibps === null) continue
    series.push({
      type: 'line',
      name: 'unconstrained',
      xAxisIndex: 0,
      yAxisIndex: 0,
      color: '#7f8c8d',
      symbol: 'none',
      lineStyle: { width: 1, type: 'dotted', color: colorOf(c.policy) },
      data: [
        [min, c.unconstrainedMibps],
        [max, c.unconstrainedMibps],
      ],
    })
  }
  const axis = (index: number): XAXisComponentOption => ({
    type: 'log',
    logBase: 2,
    gridIndex: index,
    min,
    max,
    interval: 1, // in powers of the base: a tick at every power of two
    name: index === 1 ? 'initial pool (MiB, log scale)' : '',
    nameLocation: 'middle',
    nameGap: 28,
    axisLabel: { formatter: (v: number) => (v < 1 ? `${v * 1024}K` : String(v)) },
  })
  return {
    title,
    caption:
      `Top: MiB/s, mean of the seeds that ran without error at each size tried; dotted: the same seeds on an unconstrained pool. ` +
      `Bottom: seeds (of ${seeds}) that had an I/O error, a stuck I/O or a failed import. ` +
      'Vertical lines: each policy’s answer, where failures have stopped for good.' +
      (same.some((s) => s !== undefined)
        ? ' Policies whose lines coincide are named "b = a" (or "b ≈ a": nearly) in the legend.'
        : ''),
    width: L.width,
    height: L.height,
    option: {
      ...BASE,
      legend: { ...LEGEND, data: upper.names },
      grid: [
        { left: L.left, right: L.right, top: L.top.top, height: L.top.height },
        { left: L.left, right: L.right, top: L.bottom.top, height: L.bottom.height },
      ],
      xAxis: [axis(0), axis(1)],
      yAxis: [
        { type: 'value', gridIndex: 0, name: 'MiB/s', min: 0 },
        {
          type: 'value',
          gridIndex: 1,
          name: 'failing seeds',
          min: 0,
          max: seeds,
          minInterval: 1,
          nameTextStyle: { color: ERROR_COLOR },
        },
      ],
      series,
    },
  }
}

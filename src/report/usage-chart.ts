import { POLICY_SUMMARY, type PolicyName, type SimResult } from '../sim/index.js'
import {
  BASE,
  type ChartSpec,
  colorOf,
  ERROR_COLOR,
  LEGEND,
  MIB,
  niceCeil,
  pairs,
  type SeriesList,
  timeAxis,
} from './charts.js'
import { count } from './format.js'

/**
 * Pool usage over time for one policy, against its threshold and capacity; the same y scale for all.
 * Intervals with I/O errors or failed imports get a red mark along the top edge.
 */
export function usageChart(result: SimResult, policy: PolicyName, yMaxMiB: number): ChartSpec {
  const { timeline } = result.series[policy]!
  const t = timeline.atMs
  const yMax = niceCeil(yMaxMiB)
  const line = { type: 'line' as const, showSymbol: false, animation: false }
  const series: SeriesList = [
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
  const marks = errorMarks(t, timeline.errors, yMax)
  if (marks.total > 0) {
    series.push({
      type: 'scatter',
      name: `errors (${count(marks.total)})`,
      data: marks.points,
      color: ERROR_COLOR,
      symbol: 'triangle',
      symbolRotate: 180,
      symbolSize: 9,
      z: 5,
    })
  }
  return {
    title: policy,
    caption:
      POLICY_SUMMARY[policy] +
      (marks.total === 0 ? '' : `; ▼ marks the ${marks.points.length} intervals with errors`),
    width: 560,
    height: 260,
    option: {
      ...BASE,
      legend: { ...LEGEND, left: 'center', itemGap: 16 },
      grid: { left: 52, right: 20, top: 36, bottom: 44 },
      xAxis: timeAxis(result),
      yAxis: { type: 'value', name: 'MiB', min: 0, max: yMax },
      series,
    },
  }
}

/** One mark per interval that had errors, at 96 % of the y axis; and the errors in all. */
export function errorMarks(
  atMs: readonly number[],
  errors: readonly number[],
  yMax: number,
): { points: Array<[number, number]>; total: number } {
  const points: Array<[number, number]> = []
  let total = 0
  errors.forEach((n, i) => {
    if (n === 0) return
    total += n
    points.push([Math.round(atMs[i]! * 10) / 10, yMax * 0.96])
  })
  return { points, total }
}

import type { EChartsOption } from 'echarts'
import { findPolicy, POLICY_NAMES, type PolicyName, type SimResult } from '../sim/index.js'

/** One chart of the report: an ECharts option and its size in CSS pixels. */
export interface ChartSpec {
  title: string
  caption: string
  width: number
  height: number
  option: EChartsOption
}

export type SeriesList = Extract<NonNullable<EChartsOption['series']>, unknown[]>

export const MIB = 1024 * 1024

export const BASE: EChartsOption = {
  animation: false,
  backgroundColor: '#ffffff',
  textStyle: { fontFamily: 'sans-serif' },
}

/**
 * A legend with room between entries: the server-side renderer measures text with its own estimate,
 * narrower than a browser's fonts, and entries placed edge to edge overlap on the page.
 */
export const LEGEND = { top: 4, itemGap: 22, itemWidth: 22, textStyle: { fontSize: 11 } } as const

/** The colour of error marks, in every chart. */
export const ERROR_COLOR = '#e3002b'

/** A policy's fixed colour, the same in every chart (from the policy registry). */
export function colorOf(policy: PolicyName): string {
  return findPolicy(policy)!.color
}

// Shapes centred on their point (ECharts' 'pin' and 'arrow' are not).
const SYMBOLS = [
  'circle',
  'rect',
  'triangle',
  'diamond',
  'emptyCircle',
  'emptyRect',
  'emptyTriangle',
] as const

/** A policy's fixed marker shape, so that lines stay apart where colours are close or lines overlap. */
export function symbolOf(policy: PolicyName): string {
  return SYMBOLS[POLICY_NAMES.indexOf(policy) % SYMBOLS.length]!
}

/** A round axis maximum at or above x (1, 1.2, 1.5, 2 … 8 × 10^k), so tick labels stay round. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1
  const step = 10 ** Math.floor(Math.log10(x))
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * step >= x) return m * step
  return 10 * step
}

/** The x axis of the charts over simulated time: 0 to the end of the run, in ms. */
export function timeAxis(result: SimResult): NonNullable<EChartsOption['xAxis']> {
  return { type: 'value', name: 'ms', nameLocation: 'middle', nameGap: 26, min: 0, max: result.runtimeMs }
}

/** [x, y / scale] pairs, x to 0.1 and y to 0.01. */
export function pairs(xs: readonly number[], ys: readonly number[], scale = 1): Array<[number, number]> {
  return xs.map((x, i) => [Math.round(x * 10) / 10, Math.round(((ys[i] ?? 0) / scale) * 100) / 100])
}

/**
 * Renders a chart to an SVG string with ECharts' server-side SVG renderer (no DOM, no network).
 * zrender names the SVG's CSS classes and clip paths after a counter of every instance the process
 * ever made ('zr7-cls-12'): they are renamed after `id` ('queue-12'), so a page's bytes depend only on
 * its charts, not on what was drawn before in the same process.
 */
export async function renderChart(chart: ChartSpec, id = 'chart'): Promise<string> {
  const echarts = await import('echarts')
  const instance = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: chart.width,
    height: chart.height,
  })
  try {
    instance.setOption(chart.option)
    return renameIds(instance.renderToSVGString(), id)
  } finally {
    instance.dispose()
  }
}

/** Renames zrender's 'zr<N>-<kind><M>' names to '<id>-<k>', k in order of first appearance. */
export function renameIds(svg: string, id: string): string {
  const names = new Map<string, string>()
  return svg.replace(/\bzr\d+-[a-z]+-?\d+\b/g, (name) => {
    let renamed = names.get(name)
    if (renamed === undefined) {
      renamed = `${id}-${names.size}`
      names.set(name, renamed)
    }
    return renamed
  })
}

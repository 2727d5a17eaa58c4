import type { PolicyName } from '../sim/index.js'
import { colorOf, type SeriesList, symbolOf } from './charts.js'

/** One policy's line in a chart that compares policies. */
export interface PolicyLine {
  policy: PolicyName
  data: ReadonlyArray<number | [number, number] | null>
}

/** For each line, the earlier policy whose data is the same point for point, if any. */
export function coincident(lines: readonly PolicyLine[]): Array<PolicyName | undefined> {
  const seen = new Map<string, PolicyName>()
  return lines.map(({ policy, data }) => {
    const key = JSON.stringify(data)
    const first = seen.get(key)
    if (first === undefined) seen.set(key, policy)
    return first
  })
}

/**
 * Line series for policies compared in one chart. Lines that coincide stay visible and say so in the
 * legend: the first of a group is drawn wide and pale, the others thin and dashed on top of it, each
 * named "hybrid = throttle"; every policy keeps its own colour and marker shape.
 */
export function policyLineSeries(
  lines: readonly PolicyLine[],
  extra: Record<string, unknown> = {},
  same: ReadonlyArray<PolicyName | undefined> = coincident(lines),
): { series: SeriesList; names: string[] } {
  const followed = new Set(same.filter((p) => p !== undefined))
  const names = lines.map(({ policy }, i) => (same[i] === undefined ? policy : `${policy} = ${same[i]}`))
  const series: SeriesList = lines.map(({ policy, data }, i) => {
    const under = followed.has(policy)
    const over = same[i] !== undefined
    return {
      type: 'line' as const,
      name: names[i]!,
      color: colorOf(policy),
      symbol: symbolOf(policy),
      symbolSize: over ? 5 : 7,
      data: data as never,
      z: over ? 3 : 2,
      lineStyle: under
        ? { width: 6, opacity: 0.35 }
        : over
          ? { width: 1.5, type: 'dashed' as const }
          : { width: 1.5 },
      ...extra,
    }
  })
  return { series, names }
}

import type { PolicyName } from '../sim/index.js'
import { colorOf, type SeriesList, symbolOf } from './charts.js'

/** One policy's line in a chart that compares policies. */
export interface PolicyLine {
  policy: PolicyName
  data: ReadonlyArray<number | [number, number] | null>
}

/** Two lines coincide where at least this share of their points are the same. */
export const COINCIDE_SHARE = 0.9

/** A line that (nearly) coincides with an earlier one: which, and whether every point is the same. */
export interface Coincidence {
  with: PolicyName
  exact: boolean
}

/**
 * For each line, the first earlier line it coincides with, if any: the same number of points and at
 * least COINCIDE_SHARE of them the same (such lines hide one another on the page).
 */
export function coincident(lines: readonly PolicyLine[]): Array<Coincidence | undefined> {
  const found: Array<Coincidence | undefined> = []
  lines.forEach((line, i) => {
    for (let j = 0; j < i; j++) {
      if (found[j] !== undefined) continue
      const share = sameShare(lines[j]!.data, line.data)
      if (share >= COINCIDE_SHARE) {
        found.push({ with: lines[j]!.policy, exact: share === 1 })
        return
      }
    }
    found.push(undefined)
  })
  return found
}

function sameShare(a: PolicyLine['data'], b: PolicyLine['data']): number {
  if (a.length !== b.length) return 0
  if (a.length === 0) return 1
  let same = 0
  for (let i = 0; i < a.length; i++) if (JSON.stringify(a[i]) === JSON.stringify(b[i])) same++
  return same / a.length
}

/**
 * Line series for policies compared in one chart. Lines that coincide stay visible and say so in the
 * legend: the first of a group is drawn wide and pale, the others thin and dashed on top of it, each
 * named "hybrid = throttle" (every point the same) or "hybrid ≈ throttle" (nearly every point); every
 * policy keeps its own colour and marker shape.
 */
export function policyLineSeries(
  lines: readonly PolicyLine[],
  extra: Record<string, unknown> = {},
  same: ReadonlyArray<Coincidence | undefined> = coincident(lines),
): { series: SeriesList; names: string[] } {
  const followed = new Set(same.map((c) => c?.with))
  const names = lines.map(({ policy }, i) => {
    const c = same[i]
    return c === undefined ? policy : `${policy} ${c.exact ? '=' : '≈'} ${c.with}`
  })
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

import type { PolicyName } from '../sim/index.js'

/** One run of a sizing search or a sweep: where it ran and what it measured (MiB/s). */
export interface SizingRun {
  policy: PolicyName
  poolBytes: number
  seed: number
  /** No I/O error, no stuck I/O, no failed import. */
  healthy: boolean
  mibps: number
}

/** All seeds of one policy at one pool size. */
export interface SizingPoint {
  poolBytes: number
  runs: number
  /** Seeds that were not healthy. */
  failing: number
  /** Mean MiB/s of the healthy seeds (a sizing run stops at its first error), to 0.1; null: none healthy. */
  mibps: number | null
}

/** One policy's points, smallest pool first, and its answer. */
export interface SizingCurve {
  policy: PolicyName
  points: SizingPoint[]
  /** The smallest pool meeting the criteria; null when none did. */
  answerBytes: number | null
  /** Mean MiB/s of the same seeds on an unconstrained pool, when known. */
  unconstrainedMibps: number | null
}

/**
 * Groups runs by policy (in `policies` order) and pool size (ascending). The runs may come in any
 * order (workers finish when they finish): sums are taken in seed order, so the result is the same.
 */
export function sizingCurves(
  runs: readonly SizingRun[],
  policies: readonly PolicyName[],
  answers: ReadonlyMap<PolicyName, number | null>,
  unconstrained: ReadonlyMap<PolicyName, number> = new Map(),
): SizingCurve[] {
  const sorted = [...runs].sort((a, b) => a.poolBytes - b.poolBytes || a.seed - b.seed)
  return policies.map((policy) => {
    const points: SizingPoint[] = []
    let sum = 0
    let healthy = 0
    for (const run of sorted) {
      if (run.policy !== policy) continue
      let point = points.at(-1)
      if (point?.poolBytes !== run.poolBytes) {
        point = { poolBytes: run.poolBytes, runs: 0, failing: 0, mibps: null }
        points.push(point)
        sum = 0
        healthy = 0
      }
      point.runs++
      if (!run.healthy) point.failing++
      else {
        sum += run.mibps
        healthy++
        point.mibps = Math.round((sum / healthy) * 10) / 10
      }
    }
    return {
      policy,
      points,
      answerBytes: answers.get(policy) ?? null,
      unconstrainedMibps: unconstrained.get(policy) ?? null,
    }
  })
}

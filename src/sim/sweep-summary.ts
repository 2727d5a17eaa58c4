import type { PolicyName } from './policies.js'
import type { SweepRow } from './sweep.js'

/** All seeds of one spec, policy and pool size (bytes, µs, MiB/s). */
export interface SweepCell {
  spec: string
  policy: PolicyName
  poolBytes: number
  areas: number
  runs: number
  /** Runs with an I/O error, a stuck I/O or a failed import. */
  unhealthy: number
  ioErrors: number
  /** Mean over the seeds. */
  mibps: number
  /** Worst seed. */
  clatP99Us: number
  hiwaterBytes: number
}

/**
 * Per spec and policy: the smallest pool of the grid healthy in every seed whose next `verifyAbove`
 * sizes are healthy too. Where the grid ends sooner, the sizes it has above must be healthy, and
 * `sizesAbove` says how many there were: 0 when the answer is the largest size run.
 */
export interface SweepAnswer {
  spec: string
  policy: PolicyName
  minPoolBytes: number | null
  runsAtAnswer: number
  /** Larger sizes of the grid checked healthy above the answer (at most `verifyAbove`); 0 when none. */
  sizesAbove: number
}

/** Sizes just above an answer that must be healthy too, where the grid has them. */
export const VERIFY_ABOVE = 2

/** Groups rows (in run order) into cells, and finds each spec and policy's smallest healthy pool. */
export function summarizeSweep(
  rows: readonly SweepRow[],
  verifyAbove = VERIFY_ABOVE,
): { cells: SweepCell[]; answers: SweepAnswer[] } {
  const cells: SweepCell[] = []
  const byKey = new Map<string, { cell: SweepCell; mibps: number }>()
  for (const r of rows) {
    const key = JSON.stringify([r.spec, r.policy, r.poolBytes])
    let entry = byKey.get(key)
    if (entry === undefined) {
      const cell: SweepCell = {
        spec: r.spec,
        policy: r.policy,
        poolBytes: r.poolBytes,
        areas: r.areas,
        runs: 0,
        unhealthy: 0,
        ioErrors: 0,
        mibps: 0,
        clatP99Us: 0,
        hiwaterBytes: 0,
      }
      entry = { cell, mibps: 0 }
      byKey.set(key, entry)
      cells.push(cell)
    }
    const c = entry.cell
    c.runs++
    if (!r.healthy) c.unhealthy++
    c.ioErrors += r.ioErrors
    entry.mibps += r.mibps
    c.mibps = Math.round((entry.mibps / c.runs) * 10) / 10
    c.clatP99Us = Math.max(c.clatP99Us, r.clatP99Us)
    c.hiwaterBytes = Math.max(c.hiwaterBytes, r.hiwaterBytes)
  }
  const answers: SweepAnswer[] = []
  const groups = new Map<string, SweepCell[]>()
  for (const c of cells) {
    const key = JSON.stringify([c.spec, c.policy])
    groups.set(key, [...(groups.get(key) ?? []), c])
  }
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => a.poolBytes - b.poolBytes)
    const ok = sorted.findIndex((_, i) =>
      sorted.slice(i, i + 1 + verifyAbove).every((c) => c.unhealthy === 0),
    )
    const at = sorted[ok]
    answers.push({
      spec: group[0]!.spec,
      policy: group[0]!.policy,
      minPoolBytes: at?.poolBytes ?? null,
      runsAtAnswer: at?.runs ?? 0,
      sizesAbove: at === undefined ? 0 : Math.min(verifyAbove, sorted.length - 1 - ok),
    })
  }
  return { cells, answers }
}

/**
 * What was checked above an answer, in words: "2 sizes healthy", or where the grid ends sooner "none:
 * the largest size run; no larger size was checked". Never more than the grid ran.
 */
export function sizesAboveWords(sizesAbove: number, verifyAbove = VERIFY_ABOVE): string {
  if (sizesAbove === 0) return 'none: the largest size run; no larger size was checked'
  const sizes = `${sizesAbove} size${sizesAbove === 1 ? '' : 's'} healthy`
  return sizesAbove >= verifyAbove ? sizes : `${sizes}, the largest run; no larger size was checked`
}

import {
  type SweepHeader,
  type SweepRow,
  sizesAboveWords,
  summarizeSweep,
  VERIFY_ABOVE,
} from '../sim/index.js'
import { count, duration, mib, table } from './format.js'

/**
 * What `sweep` prints, and `merge` for the shards of a sweep: a table per spec, policy and pool size
 * over the seeds, then each spec and policy's smallest pool of the grid that was healthy in every seed,
 * with what was checked above it.
 */
export function formatSweep(header: SweepHeader, rows: readonly SweepRow[]): string {
  const { cells, answers } = summarizeSweep(rows)
  const seeds = header.seeds
  const body = cells.map((c) => [
    c.spec,
    c.policy,
    mib(c.poolBytes),
    String(c.areas),
    String(c.runs),
    String(c.unhealthy),
    count(c.ioErrors),
    c.mibps.toFixed(1),
    duration(c.clatP99Us),
    mib(c.hiwaterBytes),
  ])
  const found = answers.map((a) => [
    a.spec,
    a.policy,
    a.minPoolBytes === null ? 'none in the grid' : mib(a.minPoolBytes),
    a.minPoolBytes === null ? '-' : `0 failures in ${a.runsAtAnswer} runs`,
    a.minPoolBytes === null ? '-' : sizesAboveWords(a.sizesAbove),
  ])
  return (
    `sweep: ${header.runs} runs (${plural(header.specs.length, 'spec')} × ${plural(header.policies.length, 'policy', 'policies')} × ` +
    `${header.poolBytes.length === 0 ? "each spec's own pool" : plural(header.poolBytes.length, 'pool size')} × ${plural(seeds.count, 'seed')} from ${seeds.first})\n\n` +
    `${table(['spec', 'policy', 'pool', 'areas', 'runs', 'failed runs', 'I/O errors', 'MiB/s', 'clat p99 (worst)', 'hiwater (max)'], body, [0, 1])}\n\n` +
    `smallest pool of the grid healthy in every seed, with the larger sizes checked healthy above it (up to ${VERIFY_ABOVE}):\n` +
    `${table(['spec', 'policy', 'pool', 'runs there', 'sizes above it'], found, [0, 1, 3, 4])}\n`
  )
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

import type { PolicyName, PolicyResult, SimResult } from '../sim/index.js'
import { count, duration, mib } from './format.js'

/** Columns of the comparison, shared by the terminal table and the report's table. */
export const SUMMARY_HEADER = [
  'policy',
  'I/Os',
  'errors',
  'IOPS',
  'MiB/s',
  'pool peak',
  'hiwater',
  'per-area sum',
  'sampled',
  'waits',
  'map wait p99',
  'max',
  'clat p50',
  'p99',
  'stuck',
] as const

export function policiesOf(result: SimResult): Array<[PolicyName, PolicyResult]> {
  return Object.entries(result.policies) as Array<[PolicyName, PolicyResult]>
}

/** One row per policy, formatted. */
export function summaryRows(result: SimResult): string[][] {
  return policiesOf(result).map(([name, r]) => [
    name,
    count(r.ios),
    count(r.ioErrors),
    count(r.iops),
    r.mibps.toFixed(1),
    mib(r.poolBytes.peak),
    mib(r.hiwater.exact),
    mib(r.hiwater.perAreaSum),
    mib(r.hiwater.sampled),
    count(r.throttle.waits),
    duration(r.mapWaitUs.p99),
    duration(r.mapWaitUs.max),
    duration(r.clatUs['50.00'] ?? 0),
    duration(r.clatUs['99.00'] ?? 0),
    count(r.stuckIos),
  ])
}

export const DEVICE_HEADER = [
  'policy',
  'device',
  'I/Os',
  'errors',
  'requeues',
  'MiB/s',
  'map wait p99',
  'clat p99',
] as const

/** One row per policy and device, formatted. */
export function deviceRows(result: SimResult): string[][] {
  const rows: string[][] = []
  for (const [name, r] of policiesOf(result)) {
    for (const [device, d] of Object.entries(r.devices)) {
      rows.push([
        name,
        `${device} (${d.kind})`,
        count(d.ios),
        count(d.ioErrors),
        count(d.requeues),
        d.mibps.toFixed(1),
        duration(d.mapWaitUs.p99),
        duration(d.clatUs.p99),
      ])
    }
  }
  return rows
}

/** Growth and imports, one line per policy that had any. */
export function noteLines(result: SimResult): string[] {
  const lines: string[] = []
  for (const [name, r] of policiesOf(result)) {
    const parts: string[] = []
    if (r.poolBytes.grown > 0)
      parts.push(
        `grew ${mib(r.poolBytes.grown)} in ${r.growth.grows} ${r.growth.grows === 1 ? 'grow' : 'grows'} (${r.pools.count} pools)`,
      )
    if (r.growth.transients > 0) parts.push(`${count(r.growth.transients)} transient pools`)
    if (r.imports.ok + r.imports.failed > 0)
      parts.push(`imports ${r.imports.ok} mapped, ${r.imports.failed} failed`)
    if (parts.length > 0) lines.push(`${name}: ${parts.join('; ')}`)
  }
  return lines
}

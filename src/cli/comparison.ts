import { poolWords } from '../report/format.js'
import { DEVICE_HEADER, deviceRows, noteLines, SUMMARY_HEADER, summaryRows } from '../report/summary.js'
import type { Scenario, SimResult, SimSpec } from '../sim/index.js'
import { table } from './format.js'

/** The terminal view of a run: a heading, the claim, one row per policy, then one per device. */
export function formatComparison(result: SimResult, spec: SimSpec, scenario: Scenario | undefined): string {
  const lines: string[] = [
    `${spec.name}: ${spec.cpus} CPUs, ${poolWords(spec.pool)}, ` +
      `${spec.runtimeMs / 1000} s simulated, seed ${result.seed}`,
  ]
  if (spec.description !== '') lines.push(spec.description)
  if (scenario !== undefined) lines.push(`claim: ${scenario.claim}`)
  lines.push('', table(SUMMARY_HEADER, summaryRows(result)))
  if (spec.devices.length > 1 || spec.hogs.length > 0)
    lines.push('', table(DEVICE_HEADER, deviceRows(result), [0, 1]))
  const notes = noteLines(result)
  if (notes.length > 0) lines.push('', ...notes)
  return lines.join('\n')
}

import { POLICY_SUMMARY, type Scenario, type SimResult, type SimSpec } from '../sim/index.js'
import type { ChartSpec } from './charts.js'
import { type ClaimVerdict, checkClaim } from './claim-checks.js'
import { clatCdfChart, mapWaitChart, poolBytesChart, queueChart } from './comparison-charts.js'
import { poolWords } from './format.js'
import { DEVICE_HEADER, deviceRows, noteLines, policiesOf, SUMMARY_HEADER, summaryRows } from './summary.js'
import { usageChart } from './usage-chart.js'

/** Everything the report page shows, before rendering. */
export interface ReportModel {
  title: string
  subtitle: string
  /** The scenario's claim and whether this run bears it out; undefined for a spec of the user's. */
  claim: { text: string; source: string; verdict: ClaimVerdict } | undefined
  summary: { header: readonly string[]; rows: string[][] }
  devices: { header: readonly string[]; rows: string[][] }
  notes: string[]
  policies: Array<{ name: string; does: string }>
  usageCharts: ChartSpec[]
  queueChart: ChartSpec
  mapWaitChart: ChartSpec
  clatCdfChart: ChartSpec
  poolBytesChart: ChartSpec
}

export function buildReportModel(
  result: SimResult,
  spec: SimSpec,
  scenario: Scenario | undefined,
): ReportModel {
  const policies = policiesOf(result)
  let yMax = 0
  for (const [policy] of policies) {
    const t = result.series[policy]!.timeline
    yMax = Math.max(yMax, ...t.capacityBytes, ...t.usedBytes, ...t.hiwaterBytes)
  }
  const yMaxMiB = (yMax / (1024 * 1024)) * 1.05
  return {
    title: `dma-throttle: ${spec.name}`,
    subtitle:
      `${spec.cpus} CPUs, ${poolWords(spec.pool)}, ` +
      `${spec.runtimeMs / 1000} s simulated, seed ${result.seed}` +
      (spec.description === '' ? '' : ` — ${spec.description}`),
    claim:
      scenario === undefined
        ? undefined
        : { text: scenario.claim, source: scenario.source, verdict: checkClaim(scenario.name, result, spec) },
    summary: { header: SUMMARY_HEADER, rows: summaryRows(result) },
    devices: { header: DEVICE_HEADER, rows: deviceRows(result) },
    notes: noteLines(result),
    policies: policies.map(([name]) => ({ name, does: POLICY_SUMMARY[name] })),
    usageCharts: policies.map(([policy]) => usageChart(result, policy, yMaxMiB)),
    queueChart: queueChart(result),
    mapWaitChart: mapWaitChart(result),
    clatCdfChart: clatCdfChart(result),
    poolBytesChart: poolBytesChart(result),
  }
}

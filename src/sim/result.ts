import type { Histogram } from '../index.js'
import type { PolicyName } from './policies.js'
import type { Timeline } from './timeline.js'
import type { CloneStats } from './workloads/job-stats.js'

/** fio's default percentile list (clat percentiles). */
export const FIO_PERCENTILES = [
  1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99,
] as const

/** Per-device breakdown (µs, bytes). */
export interface DeviceResult {
  kind: string
  ios: number
  ioErrors: number
  requeues: number
  mibps: number
  mapWaitUs: { p50: number; p99: number; max: number }
  clatUs: { p50: number; p99: number; max: number }
}

/** One policy's measures: DESIGN §8's schema, then a few extras (bytes, µs). */
export interface PolicyResult {
  /** I/Os completed, the ones still in flight at the end of the runtime included. */
  ios: number
  ioErrors: number
  /** I/Os and MiB completed within the runtime, per second of runtime. */
  iops: number
  mibps: number
  poolBytes: { initial: number; grown: number; peak: number }
  hiwater: { exact: number; perAreaSum: number; sampled: number }
  throttle: { highCount: number; lowCount: number; waits: number }
  mapWaitUs: { p50: number; p99: number; p99_9: number; max: number }
  clatUs: Record<string, number>
  /** SCSI commands requeued after a failed map. */
  requeues: number
  /** Block I/Os still unfinished when the run gave up waiting (a deadlock leaves them). */
  stuckIos: number
  imports: { ok: number; failed: number }
  growth: { grows: number; transients: number; shrinks: number }
  /** Default and dynamic pools at the end, and their areas together. */
  pools: { count: number; areas: number }
  devices: Record<string, DeviceResult>
}

/** What a policy's run leaves for the report, beside its result. */
export interface PolicySeries {
  timeline: Timeline
  /** Map wait at each percentile of `MAP_WAIT_CURVE`, µs. */
  mapWaitCurveUs: number[]
  /** Runs of fio jobs: when the last job finished, ms. */
  elapsedMs?: number
  /** Runs of fio jobs: each clone's statistics (fio-json). */
  jobs?: CloneStats[]
}

/** Percentiles of the report's map-wait curves. */
export const MAP_WAIT_CURVE = [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100] as const

export interface SimResult {
  scenario: string
  seed: number
  poolBytes: number
  runtimeMs: number
  cpus: number
  policies: Partial<Record<PolicyName, PolicyResult>>
  /** Data for charts; not part of the JSON output. */
  series: Partial<Record<PolicyName, PolicySeries>>
}

/** µs from a histogram kept in ms, rounded to 0.1 µs. */
export function us(h: Histogram, p: number): number {
  return round1(h.percentile(p) * 1000)
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10
}

/** fio's label of a percentile: 99.9 → "99.90". */
export function percentileLabel(p: number): string {
  return p.toFixed(2)
}

/** The `simulate --json` object (DESIGN §8): same seed, same bytes. */
export function toJson(result: SimResult): string {
  const { scenario, seed, poolBytes, policies } = result
  return JSON.stringify({ scenario, seed, poolBytes, policies }, null, 2)
}

/** How many I/Os a result simulated, over all its policies: completed, failed and requeued. */
export function simulatedIos(result: SimResult): number {
  let n = 0
  for (const p of Object.values(result.policies)) n += p.ios + p.ioErrors + p.requeues
  return n
}

import type { PolicyName } from '../policies.js'
import type { SimResult } from '../result.js'
import type { IoDirection } from '../workloads/fio-job-spec.js'
import {
  type CloneStats,
  type DirectionStats,
  LATENCY_BAND_EDGES_NS,
  type Latency,
} from '../workloads/job-stats.js'

/**
 * fio's own JSON (`fio --output-format=json`, fio 3.x: stat.c show_thread_status_json and
 * add_ddir_status_json) for one policy's run of fio jobs, so that tools that read fio's JSON read the
 * simulation. Latencies are in ns; percentiles keyed as fio prints them ("99.000000"). The simulated
 * clock starts at 0, so timestamps are 0: the same seed gives the same bytes.
 *
 * Left out, because the simulation has no such thing: usr_cpu, sys_cpu, ctx, majf, minf (CPU
 * accounting), iodepth_submit and iodepth_complete (submission batching), disk_util (block-layer disk
 * statistics), latency_depth/latency_target/latency_window (latency_target is not modelled), prios
 * (no I/O priorities), json+ "bins".
 */
export const FIO_JSON_VERSION = 'fio-3.42 (dma-throttle simulation)'

type Json = Record<string, unknown>

const NS_PER_MS = 1e6

function latency(l: Latency, percentiles: readonly number[] | undefined): Json {
  const h = l.histogram
  const out: Json = {
    min: h.count === 0 ? 0 : Math.round(h.min * NS_PER_MS),
    max: Math.round(h.max * NS_PER_MS),
    mean: l.meanMs * NS_PER_MS,
    stddev: l.stddevMs * NS_PER_MS,
    N: h.count,
  }
  if (percentiles !== undefined && h.count > 0) {
    const p: Json = {}
    for (const q of percentiles) p[q.toFixed(6)] = Math.round(h.percentile(q) * NS_PER_MS)
    out['percentile'] = p
  }
  return out
}

/** min, max, mean, sample stddev of samples, as fio's calc_lat over bw_stat and iops_stat. */
function sampleStats(values: readonly number[]): { min: number; max: number; mean: number; dev: number } {
  if (values.length === 0) return { min: 0, max: 0, mean: 0, dev: 0 }
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const dev =
    values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1))
  return { min: Math.floor(Math.min(...values)), max: Math.floor(Math.max(...values)), mean, dev }
}

function direction(s: CloneStats, dir: IoDirection, groupKiBps: number): Json {
  const d: DirectionStats = s.directions[dir]
  const r = s.report
  const runtime = d.ios === 0 ? 0 : Math.max(1, Math.round(s.endMs - s.startMs))
  const bwBytes = runtime === 0 ? 0 : Math.floor((1000 * d.bytes) / runtime)
  const bw = sampleStats(d.bw.values)
  const iops = sampleStats(d.iops.values)
  return {
    io_bytes: d.bytes,
    io_kbytes: Math.floor(d.bytes / 1024),
    bw_bytes: bwBytes,
    bw: Math.floor(bwBytes / 1024),
    iops: runtime === 0 ? 0 : (1000 * d.ios) / runtime,
    runtime,
    total_ios: d.ios,
    short_ios: 0,
    drop_ios: 0,
    slat_ns: latency(d.slat, r?.slat === true ? r.percentiles : undefined),
    clat_ns: latency(d.clat, r?.clat !== false ? (r?.percentiles ?? undefined) : undefined),
    lat_ns: latency(d.lat, r?.lat === true ? r.percentiles : undefined),
    bw_min: bw.min,
    bw_max: bw.max,
    bw_agg: d.bw.values.length === 0 || groupKiBps === 0 ? 0 : (100 * bw.mean) / groupKiBps,
    bw_mean: bw.mean,
    bw_dev: bw.dev,
    bw_samples: d.bw.values.length,
    iops_min: iops.min,
    iops_max: iops.max,
    iops_mean: iops.mean,
    iops_stddev: iops.dev,
    iops_samples: d.iops.values.length,
  }
}

/** fio's iodepth_level: share of I/Os issued at each depth, in fio's buckets 1, 2, 4, … >=64. */
function depthLevels(s: CloneStats): Json {
  const buckets = [1, 2, 4, 8, 16, 32]
  const counts = new Array<number>(7).fill(0)
  let total = 0
  for (const [depth, n] of s.depthCounts) {
    let i = buckets.findIndex((b, k) => depth >= b && (k === buckets.length - 1 || depth < buckets[k + 1]!))
    if (depth >= 64) i = 6
    counts[i]! += n
    total += n
  }
  const out: Json = {}
  buckets.forEach((b, i) => {
    out[String(b)] = total === 0 ? 0 : (100 * counts[i]!) / total
  })
  out['>=64'] = total === 0 ? 0 : (100 * counts[6]!) / total
  return out
}

/** fio's latency_ns / latency_us / latency_ms: share of I/Os by total latency, in fio's bands. */
function latencyBands(s: CloneStats): Json {
  const counts = new Array<number>(LATENCY_BAND_EDGES_NS.length + 1).fill(0)
  for (const dir of ['read', 'write', 'trim'] as const) {
    s.directions[dir].lat.bands?.forEach((n, i) => {
      counts[i]! += n
    })
  }
  const total = counts.reduce((a, b) => a + b, 0)
  const share = (i: number): number => (total === 0 ? 0 : (100 * counts[i]!) / total)
  const band = (from: number, labels: readonly number[]): Json => {
    const out: Json = {}
    labels.forEach((label, k) => {
      out[String(label)] = share(from + k)
    })
    return out
  }
  const small = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000]
  const ms = band(20, [...small, 2000])
  ms['>=2000'] = share(31)
  return { latency_ns: band(0, small), latency_us: band(10, small), latency_ms: ms }
}

function job(s: CloneStats, groupKiBps: Record<IoDirection, number>, elapsedMs: number): Json {
  const r = s.report
  const errors = s.errors
  const out: Json = {
    jobname: s.job,
    groupid: s.group,
    job_start: 0,
    error: errors > 0 && r?.countErrors !== true ? 5 : 0,
    eta: 0,
    elapsed: Math.ceil(elapsedMs / 1000),
    'job options': { ...(r?.options ?? {}) },
    read: direction(s, 'read', groupKiBps.read),
    write: direction(s, 'write', groupKiBps.write),
    trim: direction(s, 'trim', groupKiBps.trim),
    sync: { total_ios: 0, lat_ns: { min: 0, max: 0, mean: 0, stddev: 0, N: 0 } },
    job_runtime: Number.isFinite(s.startMs) ? Math.max(0, Math.round(s.endMs - s.startMs)) : 0,
    iodepth_level: depthLevels(s),
    ...latencyBands(s),
  }
  if (r?.countErrors === true) {
    out['total_err'] = errors
    out['first_error'] = errors > 0 ? 5 : 0
  }
  return out
}

/** One policy's fio document. */
export function fioDocument(
  result: SimResult,
  policy: PolicyName,
  globalOptions: Readonly<Record<string, string>> = {},
): Json {
  const series = result.series[policy]
  const clones = series?.jobs ?? []
  const elapsed = series?.elapsedMs ?? result.runtimeMs
  const groups = new Map<number, Record<IoDirection, number>>()
  for (const s of clones) {
    const g = groups.get(s.group) ?? { read: 0, write: 0, trim: 0 }
    for (const dir of ['read', 'write', 'trim'] as const) {
      const v = s.directions[dir].bw.values
      if (v.length > 0) g[dir] += v.reduce((a, b) => a + b, 0) / v.length
    }
    groups.set(s.group, g)
  }
  return {
    'fio version': FIO_JSON_VERSION,
    timestamp: 0,
    timestamp_ms: 0,
    time: 'Thu Jan  1 00:00:00 1970',
    'global options': { ...globalOptions },
    jobs: clones.map((s) => job(s, groups.get(s.group)!, elapsed)),
  }
}

/**
 * `simulate --output-format=fio-json`: with one policy, its fio document; with several, an object with
 * one fio document per policy (`jq .throttle` gives a document fio's tools read).
 */
export function toFioJson(result: SimResult, globalOptions: Readonly<Record<string, string>> = {}): string {
  const policies = Object.keys(result.policies) as PolicyName[]
  const docs: Json = {}
  for (const p of policies) docs[p] = fioDocument(result, p, globalOptions)
  const out = policies.length === 1 ? docs[policies[0]!] : docs
  return JSON.stringify(out, null, 2)
}

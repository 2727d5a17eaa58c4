import type { PolicyName } from '../policies.js'
import type { SimResult } from '../result.js'
import type { FioPlan } from '../workloads/fio/job.js'
import type { IoDirection } from '../workloads/fio-job-spec.js'
import { type CloneStats, LATENCY_BAND_EDGES_NS, type Latency } from '../workloads/job-stats.js'
import { sampleStddev } from '../workloads/rate-samples.js'
import { FioDouble, fioJsonText } from './fio-json-text.js'

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

/** What the fio document needs of the plan: the [global] options, and each job as read. */
export type FioJsonPlan = Pick<FioPlan, 'globalOptions' | 'phases'>

const f = (x: number): FioDouble => new FioDouble(x)

const NS_PER_MS = 1e6

function latency(l: Latency, percentiles: readonly number[] | undefined): Json {
  const h = l.histogram
  const out: Json = {
    min: h.count === 0 ? 0 : Math.round(h.min * NS_PER_MS),
    max: Math.round(h.max * NS_PER_MS),
    mean: f(l.meanMs * NS_PER_MS),
    stddev: f(l.stddevMs * NS_PER_MS),
    N: h.count,
  }
  if (percentiles !== undefined && h.count > 0) {
    const p: Json = {}
    // fio sorts percentile_list ascending before it reports it (stat.c:176, qsort with double_cmp).
    for (const q of [...percentiles].sort((a, b) => a - b))
      p[q.toFixed(6)] = Math.round(h.percentile(q) * NS_PER_MS)
    out['percentile'] = p
  }
  return out
}

/**
 * fio's bw_agg: the mean bandwidth as a share of the group's aggregate, the group's bytes over its
 * longest run in that direction (stat.c:2613 and convert_agg_kbytes_percent, stat.c:507), at most 100.
 */
function bwAgg(meanKiBps: number, groupAggBytesPerS: number): number {
  if (groupAggBytesPerS <= 1024) return 100
  return Math.min(100, (meanKiBps * 100) / (groupAggBytesPerS / 1024))
}

function direction(s: CloneStats, dir: IoDirection, groupAgg: number): Json {
  const d = s.directions[dir]
  const r = s.report
  const runtime = d.ios === 0 ? 0 : Math.max(1, Math.round(s.directionRunMs(dir)))
  const bwBytes = runtime === 0 ? 0 : Math.floor((1000 * d.bytes) / runtime)
  const bw = s.bw(dir)
  const iops = s.iops(dir)
  return {
    io_bytes: d.bytes,
    io_kbytes: Math.floor(d.bytes / 1024),
    bw_bytes: bwBytes,
    bw: Math.floor(bwBytes / 1024),
    iops: f(runtime === 0 ? 0 : (1000 * d.ios) / runtime),
    runtime,
    total_ios: d.ios,
    short_ios: 0,
    drop_ios: 0,
    slat_ns: latency(d.slat, r?.slat === true ? r.percentiles : undefined),
    clat_ns: latency(d.clat, r?.clat !== false ? (r?.percentiles ?? undefined) : undefined),
    lat_ns: latency(d.lat, r?.lat === true ? r.percentiles : undefined),
    bw_min: Math.floor(bw.min),
    bw_max: Math.floor(bw.max),
    bw_agg: f(bw.samples === 0 ? 0 : bwAgg(bw.mean, groupAgg)),
    bw_mean: f(bw.mean),
    bw_dev: f(sampleStddev(bw)),
    bw_samples: bw.samples,
    iops_min: Math.floor(iops.min),
    iops_max: Math.floor(iops.max),
    iops_mean: f(iops.mean),
    iops_stddev: f(sampleStddev(iops)),
    iops_samples: iops.samples,
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
    out[String(b)] = f(total === 0 ? 0 : (100 * counts[i]!) / total)
  })
  out['>=64'] = f(total === 0 ? 0 : (100 * counts[6]!) / total)
  return out
}

/**
 * fio's latency_ns / latency_us / latency_ms: share of I/Os by completion latency (clat), in fio's
 * bands: fio marks them with clat (io_u.c:1946, io_u_mark_latency; HOWTO "distribution of I/O
 * completion latencies").
 */
function latencyBands(s: CloneStats): Json {
  const counts = new Array<number>(LATENCY_BAND_EDGES_NS.length + 1).fill(0)
  for (const dir of ['read', 'write', 'trim'] as const) {
    s.directions[dir].clat.bands?.forEach((n, i) => {
      counts[i]! += n
    })
  }
  const total = counts.reduce((a, b) => a + b, 0)
  const share = (i: number): FioDouble => f(total === 0 ? 0 : (100 * counts[i]!) / total)
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

/**
 * "job options": the options as written, in order, as fio's dump list keeps them (parse.c:1161,
 * add_to_dump_list). `--name=x` on the command line is one of them, so a job named there lists `name`
 * first; a section header is not an option. An option with no value (bare flags: time_based,
 * group_reporting) is left out: fio adds it as "" and json.c:59 (strdup_escape) refuses an empty string,
 * so the add fails and nothing is printed (fio 3.33 prints neither). No options: no object (stat.c:1667).
 */
export function fioOptions(options: Readonly<Record<string, string>>, name?: string): Json | undefined {
  const out: Json = {}
  if (name !== undefined && name !== '') out['name'] = name
  for (const [k, v] of Object.entries(options)) if (v !== '') out[k] = v
  return Object.keys(out).length === 0 ? undefined : out
}

interface JobFacts {
  /** The job was named with --name on fio's command line. */
  commandLine: boolean
  description: string | undefined
}

function job(
  s: CloneStats,
  groupAgg: Record<IoDirection, number>,
  elapsedMs: number,
  facts: JobFacts | undefined,
): Json {
  const r = s.report
  const errors = s.errors
  const out: Json = {
    jobname: s.job,
    groupid: s.group,
    job_start: 0,
    error: errors > 0 && r?.countErrors !== true ? 5 : 0,
    eta: 0,
    elapsed: Math.ceil(elapsedMs / 1000),
    'job options': fioOptions(r?.options ?? {}, facts?.commandLine === true ? s.job : undefined),
    read: direction(s, 'read', groupAgg.read),
    write: direction(s, 'write', groupAgg.write),
    trim: direction(s, 'trim', groupAgg.trim),
    sync: { total_ios: 0, lat_ns: { min: 0, max: 0, mean: f(0), stddev: f(0), N: 0 } },
    job_runtime: Math.round(s.runMs),
    iodepth_level: depthLevels(s),
    ...latencyBands(s),
  }
  if (r?.countErrors === true) {
    out['total_err'] = errors
    out['first_error'] = errors > 0 ? 5 : 0
  }
  // fio adds "desc" when the job has a description (stat.c:1825).
  if (facts?.description !== undefined && facts.description !== '') out['desc'] = facts.description
  return out
}

/**
 * One policy's fio document. Doubles are FioDouble (JSON.stringify prints them as numbers; toFioJson
 * prints them as fio does).
 */
export function fioDocument(result: SimResult, policy: PolicyName, plan?: FioJsonPlan): Json {
  const series = result.series[policy]
  const clones = series?.jobs ?? []
  const elapsed = series?.elapsedMs ?? result.runtimeMs
  const facts = new Map<string, JobFacts>()
  for (const phase of plan?.phases ?? []) {
    for (const j of phase.jobs) {
      facts.set(j.name, { commandLine: j.source.file === 'command line', description: j.description })
    }
  }
  // fio's group aggregate per direction: the group's bytes over its longest run (stat.c:2613).
  const groups = new Map<number, Record<IoDirection, { bytes: number; ms: number }>>()
  for (const s of clones) {
    const g = groups.get(s.group) ?? {
      read: { bytes: 0, ms: 0 },
      write: { bytes: 0, ms: 0 },
      trim: { bytes: 0, ms: 0 },
    }
    for (const dir of ['read', 'write', 'trim'] as const) {
      g[dir].bytes += s.directions[dir].bytes
      g[dir].ms = Math.max(g[dir].ms, Math.round(s.directionRunMs(dir)))
    }
    groups.set(s.group, g)
  }
  const agg = (group: number): Record<IoDirection, number> => {
    const g = groups.get(group)!
    const one = (x: { bytes: number; ms: number }) => (x.ms === 0 ? 0 : Math.floor((x.bytes * 1000) / x.ms))
    return { read: one(g.read), write: one(g.write), trim: one(g.trim) }
  }
  return {
    'fio version': FIO_JSON_VERSION,
    timestamp: 0,
    timestamp_ms: 0,
    time: 'Thu Jan  1 00:00:00 1970',
    'global options': fioOptions(plan?.globalOptions ?? {}),
    jobs: clones.map((s) => job(s, agg(s.group), elapsed, facts.get(s.job))),
  }
}

/**
 * `simulate --output-format=fio-json`: with one policy, its fio document; with several, an object with
 * one fio document per policy (`jq .throttle` gives a document fio's tools read).
 */
export function toFioJson(result: SimResult, plan?: FioJsonPlan): string {
  const policies = Object.keys(result.policies) as PolicyName[]
  const docs: Json = {}
  for (const p of policies) docs[p] = fioDocument(result, p, plan)
  const out = policies.length === 1 ? docs[policies[0]!] : docs
  return fioJsonText(out)
}

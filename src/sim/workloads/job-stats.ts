import { Histogram } from '../../index.js'
import type { FioReport, IoDirection } from './fio-job-spec.js'
import { NO_SAMPLES, pureSum, RateSamples, type SampleSummary } from './rate-samples.js'

const SMALL = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000]
/**
 * Upper edges (ns) of fio's latency bands (stat.c io_u_lat_n/u/m): "2" ns holds [0, 2) ns, …, "1000" µs
 * holds [750, 1000) µs, "2000" ms holds [1000, 2000) ms; the last band is >= 2000 ms.
 */
export const LATENCY_BAND_EDGES_NS = [
  ...SMALL,
  ...SMALL.map((e) => e * 1e3),
  ...[...SMALL, 2000].map((e) => e * 1e6),
]

/** A latency distribution as fio reports one: exact count, min, max, mean, stddev; percentiles ±1.6 %. */
export class Latency {
  /** Recorded in ms at ns precision. */
  readonly histogram = new Histogram(1e6)
  #sumSquares = 0
  /** Counts per latency band (LATENCY_BAND_EDGES_NS, then >= 2000 ms), when kept. */
  readonly bands: number[] | undefined

  constructor(keepBands = false) {
    this.bands = keepBands ? new Array<number>(LATENCY_BAND_EDGES_NS.length + 1).fill(0) : undefined
  }

  record(ms: number): void {
    this.histogram.record(ms)
    this.#sumSquares += ms * ms
    const bands = this.bands
    if (bands !== undefined) {
      const ns = ms * 1e6
      let i = 0
      while (i < LATENCY_BAND_EDGES_NS.length && ns >= LATENCY_BAND_EDGES_NS[i]!) i++
      bands[i]!++
    }
  }

  get count(): number {
    return this.histogram.count
  }

  get meanMs(): number {
    return this.count === 0 ? 0 : this.histogram.sum / this.count
  }

  /** Sample standard deviation (fio divides by N − 1). */
  get stddevMs(): number {
    const n = this.count
    if (n < 2) return 0
    const mean = this.meanMs
    return Math.sqrt(Math.max(0, (this.#sumSquares - n * mean * mean) / (n - 1)))
  }
}

/** What one direction of one clone (or reporting group) did, after ramp_time. */
export class DirectionStats {
  ios = 0
  bytes = 0
  readonly slat = new Latency()
  /** Keeps fio's latency bands: fio marks them with the completion latency (io_u.c:1946, io_u_mark_latency). */
  readonly clat = new Latency(true)
  readonly lat = new Latency()
}

/**
 * One clone of a statistics entry: its own run time and its own bandwidth and IOPS samples, as each
 * fio thread keeps them (a group adds them up, see CloneStats.bw).
 */
export class CloneMember {
  startMs: number
  endMs: number
  readonly ios: Record<IoDirection, number> = { read: 0, write: 0, trim: 0 }
  readonly bw: Record<IoDirection, RateSamples>
  readonly iops: Record<IoDirection, RateSamples>

  constructor(
    atMs: number,
    /** The end of its runtime: no sample is taken from there on. */
    readonly limitMs: number,
    bwAvgMs: number,
    iopsAvgMs: number,
  ) {
    this.startMs = atMs
    this.endMs = atMs
    const rates = (period: number, unit: number) => {
      const r = {
        read: new RateSamples(period, unit),
        write: new RateSamples(period, unit),
        trim: new RateSamples(period, unit),
      }
      for (const d of Object.values(r)) d.start(atMs)
      return r
    }
    this.bw = rates(bwAvgMs, 1024)
    this.iops = rates(iopsAvgMs, 1)
  }

  /** ms it ran after ramp_time: fio's total_run_time of one thread. */
  get runMs(): number {
    return Math.max(0, this.endMs - this.startMs)
  }
}

/** One fio job clone's statistics: what fio's JSON reports per job (stat.c, show_thread_status_json). */
export class CloneStats {
  readonly directions: Record<IoDirection, DirectionStats>
  /** I/O errors the clone saw. */
  errors = 0
  /** Clones counted here: one, or every clone of a reporting group (group_reporting). */
  readonly members: CloneMember[] = []
  /** Depth of the queue when each I/O was issued, for iodepth_level. */
  readonly depthCounts = new Map<number, number>()

  constructor(
    readonly job: string,
    readonly clone: number,
    readonly group: number,
    readonly report: FioReport | undefined = undefined,
    private readonly bwAvgMs = 500,
    private readonly iopsAvgMs = 500,
  ) {
    this.directions = { read: new DirectionStats(), write: new DirectionStats(), trim: new DirectionStats() }
  }

  /**
   * A clone's statistics start at `atMs` (its ramp_time is over) and its runtime ends at `limitMs`:
   * its member of this entry.
   */
  begin(atMs: number, limitMs = Number.POSITIVE_INFINITY): CloneMember {
    const m = new CloneMember(atMs, limitMs, this.bwAvgMs, this.iopsAvgMs)
    this.members.push(m)
    return m
  }

  /**
   * The clone of `member` finished at `atMs`. Samples stop at its time limit: the I/Os still in
   * flight then complete a little later, but fio's tick at the limit races the thread's exit, and fio
   * 3.33 reports 3 samples for a 2 s job, not 4.
   */
  end(member: CloneMember, atMs: number): void {
    member.endMs = Math.max(member.startMs, atMs)
    const until = Math.min(atMs, member.limitMs)
    for (const dir of ['read', 'write', 'trim'] as const) {
      member.bw[dir].finish(until)
      member.iops[dir].finish(until)
    }
  }

  /** When the first clone's statistics started; Infinity before any. */
  get startMs(): number {
    return Math.min(...this.members.map((m) => m.startMs))
  }

  /** When the last clone finished. */
  get endMs(): number {
    return Math.max(0, ...this.members.map((m) => m.endMs))
  }

  /** fio's job_runtime: the clones' run times added up (stat.c:2328, sum_thread_stats). */
  get runMs(): number {
    return this.members.reduce((a, m) => a + m.runMs, 0)
  }

  /** fio's runtime of a direction: the longest run of a clone that did I/O in it (stat.c:2265). */
  directionRunMs(dir: IoDirection): number {
    return Math.max(0, ...this.members.filter((m) => m.ios[dir] > 0).map((m) => m.runMs))
  }

  /** Bandwidth samples (KiB/s) of a direction, the clones' added up as fio's group_reporting does. */
  bw(dir: IoDirection): SampleSummary {
    return this.members.reduce((a, m) => pureSum(a, m.bw[dir].summary()), NO_SAMPLES)
  }

  /** IOPS samples of a direction, the clones' added up. */
  iops(dir: IoDirection): SampleSummary {
    return this.members.reduce((a, m) => pureSum(a, m.iops[dir].summary()), NO_SAMPLES)
  }

  issued(depth: number): void {
    this.depthCounts.set(depth, (this.depthCounts.get(depth) ?? 0) + 1)
  }

  /** An I/O of `bytes` completed at `atMs`, `slatMs` after issue in submission and `clatMs` after it. */
  completed(
    member: CloneMember,
    dir: IoDirection,
    bytes: number,
    atMs: number,
    slatMs: number | undefined,
    clatMs: number,
  ): void {
    const d = this.directions[dir]
    d.ios++
    d.bytes += bytes
    if (slatMs !== undefined) d.slat.record(slatMs)
    d.clat.record(clatMs)
    d.lat.record((slatMs ?? 0) + clatMs)
    member.ios[dir]++
    // An I/O that completes after the time limit counts in the last period, which is never sampled.
    const at = Math.min(atMs, member.limitMs)
    member.bw[dir].add(at, bytes)
    member.iops[dir].add(at, 1)
  }
}

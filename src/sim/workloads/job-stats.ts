import { Histogram } from '../../index.js'
import type { FioReport, IoDirection } from './fio-job-spec.js'

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

/** Bandwidth or IOPS samples taken every `periodMs` of a clone's run (fio's bw_avg_time). */
export class RateSamples {
  readonly values: number[] = []
  #from = 0
  #amount = 0

  constructor(readonly periodMs: number) {}

  start(atMs: number): void {
    this.#from = atMs
    this.#amount = 0
  }

  /** `amount` done at `atMs`; closes every period that ended before it, as fio does on completion. */
  add(atMs: number, amount: number): void {
    while (atMs - this.#from >= this.periodMs) {
      this.values.push((this.#amount * 1000) / this.periodMs)
      this.#from += this.periodMs
      this.#amount = 0
    }
    this.#amount += amount
  }
}

/** What one direction of one clone did, after ramp_time. */
export class DirectionStats {
  ios = 0
  bytes = 0
  readonly slat = new Latency()
  readonly clat = new Latency()
  readonly lat = new Latency(true)
  readonly bw: RateSamples
  readonly iops: RateSamples

  constructor(bwAvgMs: number, iopsAvgMs: number) {
    this.bw = new RateSamples(bwAvgMs)
    this.iops = new RateSamples(iopsAvgMs)
  }
}

/** One fio job clone's statistics: what fio's JSON reports per job (stat.c, show_thread_status_json). */
export class CloneStats {
  readonly directions: Record<IoDirection, DirectionStats>
  /** I/O errors the clone saw. */
  errors = 0
  /** When the statistics started (the end of ramp_time) and when the clone finished, ms. */
  startMs = Number.POSITIVE_INFINITY
  endMs = 0
  /** Clones counted here: 1, or every clone of a reporting group (group_reporting). */
  members = 0
  /** Depth of the queue when each I/O was issued, for iodepth_level. */
  readonly depthCounts = new Map<number, number>()

  constructor(
    readonly job: string,
    readonly clone: number,
    readonly group: number,
    readonly report: FioReport | undefined = undefined,
    bwAvgMs = 500,
    iopsAvgMs = 500,
  ) {
    this.directions = {
      read: new DirectionStats(bwAvgMs, iopsAvgMs),
      write: new DirectionStats(bwAvgMs, iopsAvgMs),
      trim: new DirectionStats(bwAvgMs, iopsAvgMs),
    }
  }

  /** A clone's statistics start at `atMs` (its ramp_time is over); a group keeps the first start. */
  begin(atMs: number): void {
    this.members++
    if (atMs >= this.startMs) return
    this.startMs = atMs
    for (const d of Object.values(this.directions)) {
      d.bw.start(atMs)
      d.iops.start(atMs)
    }
  }

  /** A clone finished at `atMs`. */
  end(atMs: number): void {
    this.endMs = Math.max(this.endMs, atMs)
  }

  issued(depth: number): void {
    this.depthCounts.set(depth, (this.depthCounts.get(depth) ?? 0) + 1)
  }

  /** An I/O of `bytes` completed at `atMs`, `slatMs` after issue in submission and `clatMs` after it. */
  completed(dir: IoDirection, bytes: number, atMs: number, slatMs: number | undefined, clatMs: number): void {
    const d = this.directions[dir]
    d.ios++
    d.bytes += bytes
    if (slatMs !== undefined) d.slat.record(slatMs)
    d.clat.record(clatMs)
    d.lat.record((slatMs ?? 0) + clatMs)
    d.bw.add(atMs, bytes / 1024)
    d.iops.add(atMs, 1)
  }
}

/** A direction of fio I/O. */
export type IoDirection = 'read' | 'write' | 'trim'

/** Sizes and weights of one direction, as JobSpec.bssplit. */
export type Sizes = ReadonlyArray<{ bytes: number; weight: number }>

/**
 * The fio semantics of a job read from a fio job file or command line (workloads/fio): how it starts,
 * paces itself and ends. JSON-spec jobs have none and keep their simpler loop (JobClone).
 */
export interface FioJobSpec {
  /** Jobs whose clones must all have finished before this one starts (stonewall, wait_for). */
  after: readonly string[]
  /** Reporting group (fio-json, exitall). */
  group: number
  /** Issues no block I/O: the job only takes its time (engines without block I/O). */
  noIo: boolean
  /** fio's FIO_SYNCIO engines report no submission latency. */
  syncEngine: boolean
  /** startdelay from the start of the run, drawn per clone from [lo, hi]. */
  startDelayMs: readonly [number, number]
  rampMs: number
  timeBased: boolean
  /** Limit after the ramp; Infinity when none. */
  runtimeMs: number
  /** Bytes per clone per loop; null: none. */
  sizeBytes: number | null
  numberIos: number | null
  loops: number
  /** Share of each direction among issued I/Os, in percent (trimwrite alternates instead). */
  mix: Readonly<Record<IoDirection, number>>
  trimThenWrite: boolean
  /** Device I/O sizes per direction (buffered I/O already applied). */
  sizes: Readonly<Record<IoDirection, Sizes>>
  /** I/Os in flight per clone: in all, and per direction (buffered reads wait, writeback does not). */
  depth: number
  depthByDirection: Readonly<Record<IoDirection, number>>
  iodepthLow: number
  completeMin: number
  /** Caps per direction, bytes/s and I/Os per second; null: none. */
  rateBytes: Readonly<Record<IoDirection, number | null>>
  rateIops: Readonly<Record<IoDirection, number | null>>
  poisson: boolean
  /** After a thinktime pause, no catch-up burst (rate_ignore_thinktime). */
  rateIgnoreThinktime: boolean
  thinktime: { us: number; blocks: number; onIssue: boolean; iotimeUs: number } | null
  verify: { readBack: boolean; backlog: number | null; backlogBatch: number | null; only: boolean } | null
  exitall: 'group' | 'stonewall' | 'all' | null
  flow: { id: number; weight: number; sleepUs: number } | null
  /** Bytes mapped for a trim command (its range list). */
  trimDmaBytes: number
  /** Sample periods of the bandwidth and IOPS statistics (bwavgtime, iopsavgtime), ms. */
  bwAvgMs: number
  iopsAvgMs: number
  /** How fio would report the job (fio-json). */
  report: FioReport
}

/** The reporting options of a job (fio-json): fio's output options and the job's own options. */
export interface FioReport {
  groupReporting: boolean
  /** Percentiles reported, and for which latencies. */
  percentiles: readonly number[]
  clat: boolean
  lat: boolean
  slat: boolean
  /** continue_on_error is set: fio adds total_err and first_error. */
  countErrors: boolean
  /** The job's own options as written ("job options"). */
  options: Readonly<Record<string, string>>
}

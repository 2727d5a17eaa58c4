import type { Direction, SizeDistribution } from './block-sizes.js'
import type { EngineKind } from './engines.js'
import type { FioSource } from './problems.js'
import type { RwMode } from './rw.js'

/** A per-direction value; null where the direction has none. */
export type PerDirection<T> = Record<Direction, T>

/** The page-cache model of a job with direct=0 (buffered.ts). */
export interface BufferedModel {
  /** Device I/O sizes the page cache makes of the job's reads and writes. */
  bs: PerDirection<SizeDistribution>
  /** Device reads in flight per clone (reads block the thread unless io_uring punts them). */
  readDepth: number
  /** Writeback I/Os in flight per clone. */
  writeDepth: number
}

/**
 * What the simulation understood of one fio job: every setting that changes the bytes in flight,
 * with fio's defaults filled in. `explain` prints it; `toSpec` turns it into a simulation job.
 */
export interface FioJob {
  name: string
  source: FioSource
  description: string | undefined
  /** Index of the phase (stonewall group) the job starts in, from 0. */
  phase: number
  /** Jobs it waits for, by name (stonewall: every earlier job; wait_for: one). */
  after: string[]
  /** Reporting group (new_group and stonewall start a new one). */
  group: number
  mode: RwMode
  /** Reads as a percentage of reads and writes (100 for read-only jobs, 0 for write-only and trims). */
  rwmixread: number
  bs: PerDirection<SizeDistribution>
  numjobs: number
  engine: string
  engineKind: EngineKind
  /** iodepth as given. */
  iodepthGiven: number
  /** I/Os in flight per clone: 1 for sync engines and for buffered I/O the kernel does synchronously. */
  iodepth: number
  iodepthLow: number
  completeMin: number
  direct: boolean
  buffered: BufferedModel | undefined
  timeBased: boolean
  runtimeMs: number | null
  rampMs: number
  /** Bytes per clone before the job ends (io_size, size or filesize × nrfiles); null: no size bound. */
  sizeBytes: number | null
  numberIos: number | null
  loops: number
  /** startdelay, or a range to draw from per clone. */
  startDelayMs: [number, number]
  /** Bytes per second per direction; null: no cap. */
  rate: PerDirection<number | null>
  rateIops: PerDirection<number | null>
  rateProcess: 'linear' | 'poisson'
  rateIgnoreThinktime: boolean
  thinktime: { us: number; blocks: number; onIssue: boolean; iotimeUs: number } | null
  verify: {
    method: string
    readBack: boolean
    backlog: number | null
    backlogBatch: number | null
    only: boolean
  } | null
  exitall: 'group' | 'stonewall' | 'all' | null
  flow: { id: number; weight: number; sleepUs: number } | null
  cpus: number[] | undefined
  cpusSplit: boolean
  continueOnError: 'none' | 'read' | 'write' | 'io'
  /** Bytes of DMA per trim command (16 per range: the NVMe DSM range, or a SCSI UNMAP descriptor). */
  trimDmaBytes: number
  output: {
    clat: boolean
    lat: boolean
    slat: boolean
    percentiles: number[]
    groupReporting: boolean
    bwAvgMs: number
    iopsAvgMs: number
  }
  /** The job's own options as written (fio-json's "job options"). */
  options: Record<string, string>
}

/** Every job, by phase, and what the reader has to say about the file. */
export interface FioPlan {
  phases: Array<{ jobs: FioJob[] }>
  notices: Array<{ option: string; message: string }>
  /** The [global] options as written (fio-json's "global options"). */
  globalOptions: Record<string, string>
}

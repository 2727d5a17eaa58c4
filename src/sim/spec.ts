import type { PolicyName, PolicyTuning } from './policies.js'
import type { FioJobSpec } from './workloads/fio-job-spec.js'

/** The default pool of a simulated machine. */
export interface PoolSpec {
  /** Bytes. */
  size: number
  areas: number
}

interface DeviceBase {
  name: string
}

/** An NVMe controller: one submission/completion queue pair per CPU. */
export interface NvmeSpec extends DeviceBase {
  type: 'nvme'
  /** Commands in flight per queue (the tag set of each hardware queue). */
  queueDepth: number
  latencyUs: number
  /** Bytes per second of the link, shared by all queues. */
  bandwidth: number
  /** Polled queues: completions wait in the CQ until the submitting CPU polls (io_uring IOPOLL). */
  polling: boolean
  /** Entry 0 of each scatter-gather list is mapped with DMA_ATTR_MAY_BLOCK. */
  mayBlock: boolean
  /** Latency varies uniformly by ± this fraction. */
  jitter: number
}

/** A storvsc-like SCSI host: one queue; a map failure requeues the command after `requeueMs`. */
export interface ScsiSpec extends DeviceBase {
  type: 'scsi'
  queueDepth: number
  latencyUs: number
  bandwidth: number
  requeueMs: number
  mayBlock: boolean
  jitter: number
}

/** A NIC: packets arrive in NAPI batches and are mapped non-blocking (softirq); a failure drops the packet. */
export interface NicSpec extends DeviceBase {
  type: 'nic'
  /** Packets per second. */
  pps: number
  packetBytes: number
  /** How long a packet's buffer stays mapped. */
  holdUs: number
  /** Packets per NAPI poll. */
  batch: number
}

export type DeviceSpec = NvmeSpec | ScsiSpec | NicSpec

export type RwMode = 'read' | 'write' | 'randread' | 'randwrite' | 'rw' | 'randrw'

/** One fio job (a `[section]` of a job file). */
export interface JobSpec {
  name: string
  device: string
  rw: RwMode
  /** Percentage of reads for mixed modes. */
  rwmixread: number
  /** Block sizes and their weights (bs is one entry of weight 100). */
  bssplit: ReadonlyArray<{ bytes: number; weight: number }>
  iodepth: number
  numjobs: number
  /** I/Os per second per clone; undefined: as fast as iodepth allows. */
  rateIops: number | undefined
  runtimeMs: number
  startDelayMs: number
  /** CPUs the clones run on, round-robin; undefined: spread over all CPUs. */
  cpus: readonly number[] | undefined
  /** fio's continue_on_error: 'none' (default) stops a clone at its first I/O error. */
  continueOnError: 'none' | 'read' | 'write' | 'io'
  /** fio's semantics, for jobs read from a fio job file or command line (workloads/fio). */
  fio?: FioJobSpec
}

/** A dma-buf import that maps `bytes` as 256 KiB non-blocking entries and holds them. */
export interface HogSpec {
  name: string
  bytes: number
  atMs: number
  holdMs: number
  /** Retry a failed import after this long; undefined: give up. */
  retryMs: number | undefined
  cpu: number
}

/** Everything a run needs. */
export interface SimSpec {
  name: string
  description: string
  cpus: number
  pool: PoolSpec
  devices: readonly DeviceSpec[]
  jobs: readonly JobSpec[]
  hogs: readonly HogSpec[]
  runtimeMs: number
  /** Interval of the vmstat-like sampler behind `hiwater.sampled`. */
  sampleMs: number
  policies: readonly PolicyName[]
  tuning: PolicyTuning
}

import { atomicPoolBytesFor } from '../index.js'
import type { DeviceSpec } from './devices/registry.js'
import type { VcpuSpec } from './vcpus.js'
import type { RateProcess } from './workloads/arrivals.js'
import type { FioJobSpec } from './workloads/fio-job-spec.js'

/** Knobs of the policies, shared by all of them in a run. */
export interface PolicyTuning {
  /** Fraction of capacity: the blocking budget (budget modes) or the RFC's high mark. */
  high: number
  /** The RFC's low mark. */
  low: number
  /** hybrid: grow when the oldest waiter has waited this long. */
  waitMs: number
  /** hybrid: limit of all pools together, bytes; undefined: twice the initial pool. */
  maxBytes: number | undefined
  /**
   * hybrid: bytes per grow, as the user gave them; undefined (not given): the kernel's dynamic pool
   * size, min(4 MiB, the pool), the size 'dynamic' always grows by.
   */
  chunkBytes: number | undefined
  /** dynamic: the background worker grows when usage reaches this fraction of capacity. */
  atUsage: number
  /** dynamic and hybrid: time a grow takes (a CoCo VM's decrypt hypercalls). */
  growCost: { fixedMs: number; perMiBMs: number }
  /**
   * dynamic: each atomic DMA pool's size (coherent_pool=); default the kernel's rule for the VM's
   * memory: 128 KiB per GiB, at least 128 KiB, at most 4 MiB.
   */
  atomicPoolBytes: number
  /**
   * dynamic: where transient pools come from: 'atomic' (a CoCo VM: the atomic pools, which refuse when
   * spent) or 'pages' (memory needs no decrypting: the page allocator, no limit modelled).
   */
  transientFrom: 'atomic' | 'pages'
}

/** The memory of a simulated VM when its spec names none. */
export const DEFAULT_MEMORY_BYTES = 16 * 1024 ** 3

/** The tuning of a spec that sets none. */
export const DEFAULT_TUNING: PolicyTuning = {
  high: 0.7,
  low: 0.65,
  waitMs: 5,
  maxBytes: undefined,
  chunkBytes: undefined,
  atUsage: 0.9,
  growCost: { fixedMs: 1, perMiBMs: 0.25 },
  atomicPoolBytes: atomicPoolBytesFor(DEFAULT_MEMORY_BYTES),
  transientFrom: 'atomic',
}

/** The default pool of a simulated machine. */
export interface PoolSpec {
  /** Bytes. */
  size: number
  areas: number
}

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
  /** fio's startdelay; with a range 'lo-hi', each clone starts at lo + a seeded draw of the spread. */
  startDelayMs: number
  startDelaySpreadMs: number
  /** fio's rate_process: 'poisson' draws the gaps between rate-limited I/Os from the seed. */
  rateProcess: RateProcess
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
  /** The VM's memory, bytes: it sizes the kernel's atomic DMA pools. */
  memory: number
  /** What each vCPU pays for submission, completion and the bounce copies. */
  vcpu: VcpuSpec
  pool: PoolSpec
  devices: readonly DeviceSpec[]
  jobs: readonly JobSpec[]
  hogs: readonly HogSpec[]
  runtimeMs: number
  /** Interval of the vmstat-like sampler behind `hiwater.sampled`. */
  sampleMs: number
  /**
   * Policies to compare, by name (src/sim/policies.ts). Typed as strings so that this file needs
   * nothing from the registry; `parseSpec` checks them and a run resolves aliases ('fair').
   */
  policies: readonly string[]
  tuning: PolicyTuning
  /**
   * What a JSON spec's jobs say that the simulation reports rather than models (an option with no
   * effect, an assumption), each under its field (`jobs[0].thread`); absent when there is nothing.
   */
  notices?: ReadonlyArray<{ option: string; message: string }>
}

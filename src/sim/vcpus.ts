import type { Engine } from './engine.js'

/**
 * What the guest's vCPUs pay per I/O. Each default is cited or stated as an assumption in
 * docs/simulation.md ("Calibration"), with how to measure it in a VM.
 */
export interface VcpuSpec {
  /**
   * Bytes per second one vCPU copies between private and shared (decrypted) memory: the bounce
   * memcpy. Default 4 GiB/s: a single core's copy is bounded by its outstanding cache misses (about
   * 10 lines per memory latency, J. D. McCalpin), which gives 4–8 GB/s of copy on server cores.
   */
  copyBandwidth: number
  /** CPU time of one submission (syscall, block layer, driver queue_rq), µs. */
  submitUs: number
  /** CPU time of one completion (interrupt, completion handler, waking the submitter), µs. */
  completeUs: number
}

/**
 * Default costs. submitUs + completeUs = 5.5 µs: a published fio run that saturates one CPU with
 * 4 KiB libaio I/O (174 k IOPS at 97.6 % usr+sys, gist tyzbit/cd097124…) spends 5.6 µs per I/O.
 */
export const DEFAULT_VCPU: VcpuSpec = { copyBandwidth: 4 * 1024 ** 3, submitUs: 2.5, completeUs: 3 }

/** Costs that cost nothing: for tests of devices alone. */
export const FREE_VCPU: VcpuSpec = { copyBandwidth: Number.POSITIVE_INFINITY, submitUs: 0, completeUs: 0 }

/**
 * The guest's vCPUs as servers: each runs its work in arrival order, one piece at a time, and a piece
 * of work queued behind others waits. Submission, the bounce copies and completion handling of an I/O
 * run on the vCPU of the job that issued it, so a vCPU busy copying delays its own jobs' I/O, and a
 * vCPU cannot bounce more than its copy bandwidth.
 *
 * Non-preemptive FIFO: an interrupt does not cut in front of queued work. Over a run this gives the
 * same capacity as a preemptive vCPU; only the order of short pieces differs.
 */
export class Vcpus {
  /** Tick (fractional µs) at which each vCPU is free again. */
  readonly #freeAt: Float64Array
  /** Work done by each vCPU, µs. */
  readonly busyUs: Float64Array
  /** Bytes copied in and out of bounce buffers. */
  copiedBytes = 0
  readonly #bytesPerUs: number

  constructor(
    private readonly engine: Engine,
    count: number,
    readonly spec: VcpuSpec,
  ) {
    this.#freeAt = new Float64Array(count)
    this.busyUs = new Float64Array(count)
    this.#bytesPerUs = spec.copyBandwidth / 1e6
  }

  /** µs one vCPU takes to copy `bytes` (and counts them as copied). */
  copy(bytes: number): number {
    this.copiedBytes += bytes
    return bytes / this.#bytesPerUs
  }

  /**
   * Runs `workUs` of work on `cpu` after the work queued there; `fn` runs when it is done. Work of 0
   * on an idle vCPU runs `fn` at once.
   */
  run(cpu: number, workUs: number, fn: () => void): void {
    const i = cpu % this.#freeAt.length
    const now = this.engine.nowTick()
    const free = this.#freeAt[i]!
    if (workUs <= 0 && free <= now) {
      fn()
      return
    }
    const end = (free > now ? free : now) + workUs
    this.#freeAt[i] = end
    this.busyUs[i]! += workUs
    this.engine.atTick(Math.ceil(end - 1e-9), fn)
  }

  /** A promise of `run`. */
  wait(cpu: number, workUs: number): Promise<void> {
    return new Promise((resolve) => this.run(cpu, workUs, resolve))
  }
}

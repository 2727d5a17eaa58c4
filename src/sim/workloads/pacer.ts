import type { Rng } from '../rng.js'
import type { IoDirection } from './fio-job-spec.js'

/**
 * fio's rate control (HOWTO "I/O rate"; backend.c usec_for_io, io_u.c rate_ddir): each capped
 * direction has a time before which its next I/O may not be issued, counted from the end of
 * ramp_time. `rate` spaces I/Os by bytes (issued bytes / bytes per second), `rate_iops` by count
 * (issued I/Os / IOPS); rate_process=poisson draws exponential gaps of the same mean instead. A
 * direction that fell behind issues at once (fio catches up); an uncapped direction is always due.
 */
export class Pacer {
  readonly #nextUs: Record<IoDirection, number> = { read: 0, write: 0, trim: 0 }
  readonly #issuedBytes: Record<IoDirection, number> = { read: 0, write: 0, trim: 0 }
  readonly #issued: Record<IoDirection, number> = { read: 0, write: 0, trim: 0 }
  #epochMs = 0

  constructor(
    private readonly bytesPerSec: Readonly<Record<IoDirection, number | null>>,
    private readonly iops: Readonly<Record<IoDirection, number | null>>,
    private readonly meanBytes: Readonly<Record<IoDirection, number>>,
    private readonly poissonRng: Rng | undefined,
  ) {}

  /** True when any direction is capped. */
  get active(): boolean {
    return (['read', 'write', 'trim'] as const).some((d) => this.#capped(d))
  }

  #capped(dir: IoDirection): boolean {
    return this.bytesPerSec[dir] !== null || this.iops[dir] !== null
  }

  /** Counting starts over (the end of ramp_time: fio resets its rate state with the statistics). */
  reset(atMs: number): void {
    this.#epochMs = atMs
    for (const d of ['read', 'write', 'trim'] as const) {
      this.#nextUs[d] = 0
      this.#issuedBytes[d] = 0
      this.#issued[d] = 0
    }
  }

  /**
   * After a thinktime pause with rate_ignore_thinktime: the schedule moves on as if the pause had been
   * spent issuing at the rate, so no burst follows it (backend.c handle_thinktime adds the missed bytes).
   */
  skipTo(atMs: number): void {
    const us = (atMs - this.#epochMs) * 1000
    for (const d of ['read', 'write', 'trim'] as const) {
      const bps = this.bytesPerSec[d]
      const iops = this.iops[d]
      if (this.poissonRng !== undefined || (bps === null && iops === null)) {
        this.#nextUs[d] = Math.max(this.#nextUs[d], us)
      } else if (bps !== null) {
        this.#issuedBytes[d] = Math.max(this.#issuedBytes[d], (us * bps) / 1e6)
        this.#nextUs[d] = (this.#issuedBytes[d] * 1e6) / bps
      } else {
        this.#issued[d] = Math.max(this.#issued[d], (us * iops!) / 1e6)
        this.#nextUs[d] = (this.#issued[d] * 1e6) / iops!
      }
    }
  }

  /** Clock time (ms) from which `dir` may issue. */
  dueMs(dir: IoDirection): number {
    return this.#capped(dir) ? this.#epochMs + this.#nextUs[dir] / 1000 : Number.NEGATIVE_INFINITY
  }

  /** Records an issued I/O and computes when the next one of its direction is due. */
  issued(dir: IoDirection, bytes: number): void {
    this.#issuedBytes[dir] += bytes
    this.#issued[dir]++
    const bps = this.bytesPerSec[dir]
    const iops = this.iops[dir]
    if (bps === null && iops === null) return
    if (this.poissonRng !== undefined) {
      // Mean gap 10^6 / IOPS µs (fio: lambda = 10^6 / IOPS); a bytes cap counts in mean-sized I/Os.
      const rate = bps !== null ? bps / this.meanBytes[dir] : iops!
      this.#nextUs[dir] += (1e6 / rate) * -Math.log(1 - this.poissonRng.next())
    } else if (bps !== null) this.#nextUs[dir] = (this.#issuedBytes[dir] * 1e6) / bps
    else this.#nextUs[dir] = (this.#issued[dir] * 1e6) / iops!
  }

  /**
   * The direction to issue, as fio's rate_ddir: `wanted` if it is due; else the other of read and write
   * if the job mixes them and it is due; else whichever is due first, with the time to wait for it.
   */
  choose(
    wanted: IoDirection,
    other: IoDirection | undefined,
    nowMs: number,
  ): { dir: IoDirection; waitMs: number } {
    const due = this.dueMs(wanted)
    if (due <= nowMs) return { dir: wanted, waitMs: 0 }
    if (other === undefined) return { dir: wanted, waitMs: due - nowMs }
    const otherDue = this.dueMs(other)
    if (otherDue <= nowMs) return { dir: other, waitMs: 0 }
    return due <= otherDue ? { dir: wanted, waitMs: due - nowMs } : { dir: other, waitMs: otherDue - nowMs }
  }
}

import { wallNow } from '../../clock/real-clock.js'
import { estimateIos, type SimSpec } from '../../sim/index.js'
import type { CliIo } from '../io.js'

/**
 * Host time the simulator spends per simulated block I/O and policy, µs: measured on the project's
 * 2-core CI machine with `simulate` over fio jobs (20–26 µs); the estimate takes the upper end.
 */
export const WALL_US_PER_IO = 25
/** Runs estimated to take longer than this get the estimate printed first, ms. */
export const ESTIMATE_FROM_MS = 3000
/** A progress line on a non-terminal stderr at most this often, ms. */
export const PROGRESS_EVERY_MS = 5000

/** Expected host time of a run, ms. */
export function wallEstimateMs(spec: SimSpec): number {
  return (estimateIos(spec) * spec.policies.length * WALL_US_PER_IO) / 1000
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`
}

/**
 * What a long run of fio jobs says on stderr (scenarios and JSON specs run about a second and keep
 * stderr clean with --json): before it starts, the estimate of its host time (when above a few
 * seconds); while it runs on a stderr that is not a terminal (CI logs, pipes), one line every few
 * seconds — the terminal's progress bar redraws in place instead.
 */
export class LongRun {
  readonly #io: CliIo
  readonly #lines: boolean
  readonly #now: () => number
  readonly #started: number
  #last: number

  /** `now` is the host clock, ms (a test passes its own). */
  constructor(io: CliIo, spec: SimSpec, now: () => number = wallNow) {
    this.#io = io
    this.#now = now
    this.#started = now()
    this.#last = this.#started
    const fio = spec.jobs.some((j) => j.fio !== undefined)
    this.#lines = fio && !io.isTTY
    const estimate = fio ? wallEstimateMs(spec) : 0
    if (estimate > ESTIMATE_FROM_MS) {
      const simulated =
        spec.runtimeMs >= 1000 ? `${Math.round(spec.runtimeMs / 1000)} s` : `${Math.round(spec.runtimeMs)} ms`
      io.stderr(
        `dma-throttle: about ${Math.round(estimateIos(spec)).toLocaleString('en-US')} I/Os per policy over ${simulated} simulated, ` +
          `${spec.policies.length} policies: expect about ${seconds(estimate)} (--runtime shortens fio jobs)\n`,
      )
    }
  }

  update(fraction: number, label: string): void {
    if (!this.#lines) return
    const now = this.#now()
    if (now - this.#last < PROGRESS_EVERY_MS) return
    this.#last = now
    this.#io.stderr(
      `dma-throttle: ${Math.floor(fraction * 100)}% after ${seconds(now - this.#started)}, ${label}\n`,
    )
  }
}

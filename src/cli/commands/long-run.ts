import { wallNow } from '../../clock/real-clock.js'
import { estimateIos, type SimSpec } from '../../sim/index.js'
import type { CliIo } from '../io.js'
import { hostTime, PeriodicLine } from '../progress.js'

export { PROGRESS_EVERY_MS } from '../progress.js'

/**
 * Host time the simulator spends per simulated block I/O and policy, µs: measured on the project's
 * 2-core CI machine with `simulate` over fio jobs (20–26 µs); the estimate takes the upper end.
 */
export const WALL_US_PER_IO = 25
/** Runs estimated to take longer than this get the estimate printed first, ms. */
export const ESTIMATE_FROM_MS = 3000
/** Expected host time of a run, ms. */
export function wallEstimateMs(spec: SimSpec): number {
  return (estimateIos(spec) * spec.policies.length * WALL_US_PER_IO) / 1000
}

/**
 * What a long run of fio jobs says on stderr (scenarios and JSON specs run about a second and keep
 * stderr clean with --json): before it starts, the estimate of its host time (when above a few
 * seconds); while it runs on a stderr that is not a terminal (CI logs, pipes), one line every few
 * seconds — the terminal's progress bar redraws in place instead.
 */
export class LongRun {
  readonly #lines: PeriodicLine | undefined

  /** `now` is the host clock, ms (a test passes its own); default `io.now`, else the wall clock. */
  constructor(io: CliIo, spec: SimSpec, now: () => number = io.now ?? wallNow) {
    const fio = spec.jobs.some((j) => j.fio !== undefined)
    this.#lines = fio && !io.isTTY ? new PeriodicLine(io, now) : undefined
    const estimate = fio ? wallEstimateMs(spec) : 0
    if (estimate > ESTIMATE_FROM_MS) {
      const simulated =
        spec.runtimeMs >= 1000 ? `${Math.round(spec.runtimeMs / 1000)} s` : `${Math.round(spec.runtimeMs)} ms`
      io.stderr(
        `dma-throttle: about ${Math.round(estimateIos(spec)).toLocaleString('en-US')} I/Os per policy over ${simulated} simulated, ` +
          `${spec.policies.length} policies: expect about ${hostTime(estimate)} (--runtime shortens fio jobs)\n`,
      )
    }
  }

  update(fraction: number, label: string): void {
    this.#lines?.update(fraction, label)
  }
}

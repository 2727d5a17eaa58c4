import { wallNow } from '../clock/real-clock.js'
import type { CliIo } from './io.js'

const WIDTH = 28
/** A progress line on a non-terminal stderr at most this often, ms. */
export const PROGRESS_EVERY_MS = 5000

/** Host time in the unit that reads best: '12 s', '3 min'. */
export function hostTime(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`
}

/** Time left if the rest goes at the pace so far; undefined before there is a pace to go by. */
export function etaMs(fraction: number, elapsedMs: number): number | undefined {
  if (!(fraction >= 0.01 && fraction < 1) || elapsedMs < 1000) return undefined
  return (elapsedMs * (1 - fraction)) / fraction
}

/** The periodic line: 'dma-throttle: 25% after 5 s, about 15 s left, coco-fio · rfc'. */
export function progressLine(fraction: number, elapsedMs: number, label: string): string {
  const eta = etaMs(fraction, elapsedMs)
  const left = eta === undefined ? '' : `about ${hostTime(eta)} left, `
  return `dma-throttle: ${Math.floor(fraction * 100)}% after ${hostTime(elapsedMs)}, ${left}${label}\n`
}

/**
 * Progress on a stderr that is not a terminal (CI logs, pipes, Kubernetes and SLURM logs): one line
 * every PROGRESS_EVERY_MS of host time, none for a run shorter than that. `now`: host clock, ms.
 */
export class PeriodicLine {
  readonly #io: CliIo
  readonly #now: () => number
  readonly #started: number
  #last: number

  constructor(io: CliIo, now: () => number) {
    this.#io = io
    this.#now = now
    this.#started = now()
    this.#last = this.#started
  }

  update(fraction: number, label: string): void {
    const now = this.#now()
    if (now - this.#last < PROGRESS_EVERY_MS) return
    this.#last = now
    this.#io.stderr(progressLine(fraction, now - this.#started, label))
  }
}

/**
 * Progress on stderr: on a terminal, a one-line bar redrawn in place with the time so far and an
 * estimate of the time left; elsewhere, with `lines`, the periodic line (long sweeps and sizing runs
 * in CI logs). Never under CI on a terminal, and no bar with --json, so piped output stays clean.
 * The host clock is `io.now` (tests pass their own), else the wall clock.
 */
export class ProgressBar {
  readonly #io: CliIo
  readonly #enabled: boolean
  readonly #now: () => number
  readonly #started: number
  readonly #lines: PeriodicLine | undefined
  #label = ''
  #last = ''

  constructor(io: CliIo, quiet: boolean, options: { lines?: boolean } = {}) {
    this.#io = io
    this.#now = io.now ?? wallNow
    this.#started = this.#now()
    const ci = io.env['CI']
    this.#enabled = io.isTTY && !quiet && (ci === undefined || ci === '' || ci === 'false' || ci === '0')
    this.#lines = options.lines === true && !io.isTTY ? new PeriodicLine(io, this.#now) : undefined
  }

  get enabled(): boolean {
    return this.#enabled
  }

  label(text: string): void {
    this.#label = text
  }

  update(fraction: number): void {
    this.#lines?.update(fraction, this.#label)
    if (!this.#enabled) return
    const f = Math.max(0, Math.min(1, fraction))
    const filled = Math.round(f * WIDTH)
    const percent = String(Math.floor(f * 100)).padStart(3)
    const elapsed = this.#now() - this.#started
    const eta = etaMs(f, elapsed)
    const times = `${(elapsed / 1000).toFixed(0)} s${eta === undefined ? '' : `, ETA ${hostTime(eta)}`}`
    const text = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)} ${percent}%  ${this.#label}  ${times}`
    if (text === this.#last) return
    this.#last = text
    this.#io.stderr(`\r${text}\x1b[K`)
  }

  done(): void {
    if (this.#enabled) this.#io.stderr('\r\x1b[K')
  }
}

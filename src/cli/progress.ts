import { realClock } from '../sim/index.js'
import type { CliIo } from './io.js'

const WIDTH = 28

/**
 * A one-line progress bar on stderr, redrawn in place. Only on a terminal: never under CI or with
 * --json, so piped output stays clean.
 */
export class ProgressBar {
  readonly #io: CliIo
  readonly #enabled: boolean
  readonly #started = realClock.now()
  #label = ''
  #last = -1

  constructor(io: CliIo, quiet: boolean) {
    this.#io = io
    const ci = io.env['CI']
    this.#enabled = io.isTTY && !quiet && (ci === undefined || ci === '' || ci === 'false' || ci === '0')
  }

  get enabled(): boolean {
    return this.#enabled
  }

  label(text: string): void {
    this.#label = text
  }

  update(fraction: number): void {
    if (!this.#enabled) return
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * WIDTH)
    const percent = Math.floor(fraction * 100)
    if (percent === this.#last) return
    this.#last = percent
    const seconds = ((realClock.now() - this.#started) / 1000).toFixed(1)
    const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`
    this.#io.stderr(`\r${bar} ${String(percent).padStart(3)}%  ${this.#label}  ${seconds} s\x1b[K`)
  }

  done(): void {
    if (this.#enabled) this.#io.stderr('\r\x1b[K')
  }
}

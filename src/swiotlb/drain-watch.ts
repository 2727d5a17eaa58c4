import type { SettleLater } from './settle-later.js'

/** A caller of onIdle / onQueueBelow, until the queue gets there or its signal aborts. */
interface Watcher {
  /** Resolve when fewer than this wait; 0 for onIdle (nobody waiting and no blocking mapping). */
  readonly below: number
  readonly resolve: () => void
  readonly reject: (reason: unknown) => void
  readonly signal: AbortSignal | undefined
  listener: (() => void) | undefined
}

/**
 * The promises of onIdle() and onQueueBelow(n) (p-queue's onIdle and onSizeLessThan, async-mutex's
 * waitForUnlock). Checked after every change of the queue and every unmap of a blocking mapping;
 * costs nothing there while nobody watches. A watcher whose signal aborts leaves no listener behind.
 */
export class DrainWatch {
  readonly #watchers = new Set<Watcher>()

  constructor(
    private readonly waiting: () => number,
    private readonly blockingLive: () => boolean,
  ) {}

  get size(): number {
    return this.#watchers.size
  }

  wait(below: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.#reached(below)) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const w: Watcher = { below, resolve, reject, signal, listener: undefined }
      if (signal !== undefined) {
        w.listener = () => {
          this.#watchers.delete(w)
          reject(signal.reason)
        }
        signal.addEventListener('abort', w.listener, { once: true })
      }
      this.#watchers.add(w)
    })
  }

  /** Settles the watchers whose condition holds now (through `late` after a withMapping call left). */
  check(late?: SettleLater): void {
    for (const w of this.#watchers) {
      if (!this.#reached(w.below)) continue
      this.#watchers.delete(w)
      if (w.listener !== undefined) w.signal!.removeEventListener('abort', w.listener)
      if (late === undefined) w.resolve()
      else late.add(w.resolve, undefined)
    }
  }

  #reached(below: number): boolean {
    return below === 0 ? this.waiting() === 0 && !this.blockingLive() : this.waiting() < below
  }
}

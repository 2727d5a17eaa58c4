import type { PendingMap } from './request.js'

interface Watched {
  /** Its waiters, in arrival order (a Set keeps insertion order; add and delete are O(1)). */
  readonly waiters: Set<PendingMap>
  readonly listener: () => void
}

/**
 * One abort listener per signal, however many waiters share it: a signal shared by 10,000 waiters
 * (one AbortController for a whole batch) gets one listener, not 10,000, and no
 * MaxListenersExceededWarning. When it fires, all its waiters leave together.
 */
export class SignalWatch {
  readonly #watched = new Map<AbortSignal, Watched>()

  /** `onAbort(waiters, reason)`: the signal's waiters still waiting, in arrival order. */
  constructor(private readonly onAbort: (waiters: PendingMap[], reason: unknown) => void) {}

  add(w: PendingMap, signal: AbortSignal): void {
    let entry = this.#watched.get(signal)
    if (entry === undefined) {
      const listener = (): void => this.#fire(signal)
      entry = { waiters: new Set(), listener }
      this.#watched.set(signal, entry)
      signal.addEventListener('abort', listener, { once: true })
    }
    entry.waiters.add(w)
  }

  remove(w: PendingMap, signal: AbortSignal): void {
    const entry = this.#watched.get(signal)
    if (entry === undefined || !entry.waiters.delete(w)) return
    if (entry.waiters.size === 0) {
      signal.removeEventListener('abort', entry.listener)
      this.#watched.delete(signal)
    }
  }

  /** Signals watched now (for tests: nothing is left behind). */
  get size(): number {
    return this.#watched.size
  }

  #fire(signal: AbortSignal): void {
    const entry = this.#watched.get(signal)
    if (entry === undefined) return
    this.#watched.delete(signal)
    this.onAbort([...entry.waiters], signal.reason)
  }
}

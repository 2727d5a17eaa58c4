import { ArgumentTypeError } from '../errors.js'
import { callSignal, type SignalMethod } from './request.js'

interface Watched<T> {
  /** Its waiters, in arrival order (a Set keeps insertion order; add and delete are O(1)). */
  readonly waiters: Set<T>
  readonly listener: () => void
  /** The signal's removeEventListener, as read when the request was parsed. */
  readonly remove: SignalMethod
}

/**
 * One abort listener per signal, however many waiters share it: a signal shared by 10,000 waiters
 * (one AbortController for a whole batch) gets one listener, not 10,000, and no
 * MaxListenersExceededWarning. When it fires, all its waiters leave together.
 *
 * The signal's methods are the ones its first request read at parse time (RequestSpec), called through
 * `callSignal`: the signal's properties are never read again. A waiter is whatever the owner's queue
 * holds (Swiotlb's PendingMap, a SharedSwiotlb thread's AbortWatch); a waiter leaves the watch when
 * the signal fires, before `onAbort` sees it.
 */
export class SignalWatch<T> {
  readonly #watched = new Map<AbortSignal, Watched<T>>()

  /** `onAbort(waiters, signal)`: the signal's waiters still waiting, in arrival order. */
  constructor(private readonly onAbort: (waiters: T[], signal: AbortSignal) => void) {}

  /**
   * Watches `signal` for `w`. False when the signal's addEventListener threw: nothing is then left
   * watched. The listener may fire inside addEventListener (a signal that aborts as it is watched):
   * `onAbort` then runs before this returns.
   */
  add(w: T, signal: AbortSignal, add: SignalMethod, remove: SignalMethod): boolean {
    const entry = this.#watched.get(signal)
    if (entry !== undefined) {
      entry.waiters.add(w)
      return true
    }
    const listener = (): void => this.#fire(signal)
    this.#watched.set(signal, { waiters: new Set([w]), listener, remove })
    try {
      callSignal(add, signal, ['abort', listener, { once: true }])
    } catch {
      if (this.#watched.get(signal)?.listener === listener) this.#watched.delete(signal)
      return false
    }
    return true
  }

  /** `w` stops watching `signal`; the listener goes with the signal's last waiter. */
  remove(w: T, signal: AbortSignal): void {
    const entry = this.#watched.get(signal)
    if (entry === undefined || !entry.waiters.delete(w)) return
    if (entry.waiters.size === 0) {
      this.#watched.delete(signal)
      try {
        callSignal(entry.remove, signal, ['abort', entry.listener])
      } catch {
        // A removeEventListener that throws is the caller's: the entry is gone, its listener disarmed.
      }
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
    this.onAbort([...entry.waiters], signal)
  }
}

/** The signal's `reason`, read once when it fires; a getter that throws gives a coded error instead. */
export function reasonOf(signal: AbortSignal): unknown {
  try {
    return signal.reason
  } catch {
    return new ArgumentTypeError('signal.reason', 'readable', signal)
  }
}

import { ArgumentTypeError } from '../errors.js'
import type { PendingMap } from './pending-map.js'
import { callSignal, type SignalMethod } from './request.js'

interface Watched {
  /** Its waiters, in arrival order (a Set keeps insertion order; add and delete are O(1)). */
  readonly waiters: Set<PendingMap>
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
 * `callSignal`: the signal's properties are never read again.
 */
export class SignalWatch {
  readonly #watched = new Map<AbortSignal, Watched>()

  /** `onAbort(waiters, signal)`: the signal's waiters still waiting, in arrival order. */
  constructor(private readonly onAbort: (waiters: PendingMap[], signal: AbortSignal) => void) {}

  /**
   * Watches `signal` for `w`. False when the signal's addEventListener threw: nothing is then left
   * watched. The listener may fire inside addEventListener (a signal that aborts as it is watched).
   */
  add(w: PendingMap, signal: AbortSignal, add: SignalMethod, remove: SignalMethod): boolean {
    const entry = this.#watched.get(signal)
    if (entry !== undefined) {
      entry.waiters.add(w)
      w.extra!.watched = true
      return true
    }
    const listener = (): void => this.#fire(signal)
    this.#watched.set(signal, { waiters: new Set([w]), listener, remove })
    w.extra!.watched = true
    try {
      callSignal(add, signal, ['abort', listener, { once: true }])
    } catch {
      if (this.#watched.get(signal)?.listener === listener) this.#watched.delete(signal)
      w.extra!.watched = false
      return false
    }
    return true
  }

  remove(w: PendingMap, signal: AbortSignal): void {
    w.extra!.watched = false
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
    for (const w of entry.waiters) w.extra!.watched = false
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

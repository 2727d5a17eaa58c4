import type { TimerHandle } from '../clock/clock.js'
import { Waiter } from '../throttle/wait-queue.js'
import type { MapRequest, MapShape } from './map-request.js'
import type { Mapping } from './mapping.js'
import type { RequestSpec } from './request.js'
import type { MappingCallback } from './with-mapping.js'

/**
 * What only some waiters need: a signal, a timer, or a settlement that came before their promise
 * existed. Made on demand, so that a plain waiter carries one empty field instead of seven.
 */
export class WaitExtras {
  signal: AbortSignal | undefined = undefined
  timer: TimerHandle | undefined = undefined
  /** True while the context's SignalWatch listens to `signal` for this waiter. */
  watched = false
  /** True while its admission runs: an abort from an event subscriber then comes too late. */
  admitting = false
  /** The signal fired before the request's promise existed: it leaves once it can. */
  abortPending = false
  /** Set when admitted before the promise existed (serialize policy granting inside submit). */
  mapping: Mapping | undefined = undefined
  /** Set when a policy refused it before its promise existed (the RFC: no slots): what it rejects with. */
  refusal: Error | undefined = undefined
}

/**
 * A blocking request in the wait queue: its size, its shape, its bytes, and how to settle it.
 *
 * All of a batch's waiters are alive at once, so every field is paid for thousands of times over, and
 * the scavenger copies them while they wait: 12 fields (the placement fields shared through a
 * MapShape, the rare ones behind `extra`), where a request's 25 were copied before, and one resolving
 * function of its promise, not two (see capture). With 10,000 tasks through a budget of 16, a waiting
 * map + await + unmap task held 706 bytes (777 with the reject function kept), a waiting withMapping
 * call 419 (489).
 */
export class PendingMap extends Waiter implements MapRequest {
  readonly shape: MapShape
  readonly orig: Uint8Array | undefined
  resolve: ((value: unknown) => void) | undefined = undefined
  extra: WaitExtras | undefined = undefined

  constructor(spec: RequestSpec, shape: MapShape, now: number) {
    super(spec.nslots, spec.sizeBytes, spec.device, now)
    this.shape = shape
    this.orig = spec.orig
    if (spec.signal !== undefined) {
      const extra = new WaitExtras()
      extra.signal = spec.signal
      this.extra = extra
    }
  }

  /** What its promise fulfils with once admitted with `m`: the Mapping (a PendingCall: itself). */
  settlement(m: Mapping): unknown {
    return m
  }

  /** Microtasks from rejectWaiter until its caller sees the rejection (see SettleLater). */
  rejectionHops(): number {
    return 1
  }

  /** The extras, made the first time they are needed. */
  extras(): WaitExtras {
    if (this.extra === undefined) this.extra = new WaitExtras()
    return this.extra
  }

  get signal(): AbortSignal | undefined {
    return this.extra?.signal
  }

  /** A waiter is always admitted by the throttle. */
  get blocking(): boolean {
    return true
  }

  /**
   * Admitted after `waitedMs`: the wait is kept where the enqueue time was, which nobody reads once the
   * waiter has left the queue. A double in a field has a 16-byte number object of its own, updated in
   * place: reusing it saves the Mapping a field and that object.
   */
  admit(waitedMs: number): void {
    this.enqueuedAt = waitedMs
  }

  /** The wait, once admitted (see admit). */
  get waitedMs(): number {
    return this.enqueuedAt
  }
}

/**
 * A queued withMapping call: the request and its callback. Its promise fulfils with the waiter itself,
 * the mapping set, so that the reaction the caller's withMapping registered on it (runQueued, one
 * function for every call) finds the callback there: a queued call holds no closure and no context of
 * its own while it waits, ~100 bytes less than `promise.then((m) => run(m, fn))` held.
 */
export class PendingCall extends PendingMap {
  readonly fn: MappingCallback<unknown>
  mapping: Mapping | undefined = undefined

  constructor(spec: RequestSpec, shape: MapShape, now: number, fn: MappingCallback<unknown>) {
    super(spec, shape, now)
    this.fn = fn
  }

  override settlement(m: Mapping): unknown {
    this.mapping = m
    return this
  }

  /** One more than a map caller's: the caller's promise is derived from the waiter's (runQueued). */
  override rejectionHops(): number {
    return 2
  }
}

let settling: PendingMap | undefined

/**
 * One shared executor, so that a waiting request costs no closure for its promise. Only `resolve` is
 * kept: every waiting call holds its promise's resolving functions, and the reject function (~70 B
 * with its field) is let go at once. A waiter is rejected through `resolve` (rejectWaiter).
 */
function capture(resolve: (value: unknown) => void): void {
  settling!.resolve = resolve
}

/** A thenable that rejects: `resolve(new Rejection(e))` rejects the promise one microtask later. */
class Rejection {
  readonly #error: unknown
  constructor(error: unknown) {
    this.#error = error
  }
  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, for `resolve` to adopt
  then(_resolve: unknown, reject: (e: unknown) => void): void {
    reject(this.#error)
  }
}

/**
 * Rejects a waiter's promise with `error`, one microtask later than a direct reject would (the
 * thenable's job): what settles after it in the same operation goes through SettleLater.
 */
export function rejectWaiter(w: PendingMap, error: unknown): void {
  const resolve = w.resolve!
  w.resolve = undefined
  resolve(new Rejection(error))
}

/** The promise a waiting request's caller awaits; `w.resolve` settles it (rejectWaiter rejects). */
export function promiseFor(w: PendingMap): Promise<unknown> {
  settling = w
  const promise = new Promise<unknown>(capture)
  settling = undefined
  return promise
}

import { MessageChannel, type MessagePort } from 'node:worker_threads'
import type { Clock, TimerHandle } from '../clock/clock.js'
import { ArgumentTypeError } from '../errors.js'
import type { RequestSpec } from '../swiotlb/request.js'
import { SignalWatch } from '../swiotlb/signal-watch.js'
import { CANCELLED, GRANTED, REFUSED, type SharedWaitQueue, WAITING } from './wait-queue.js'

/**
 * How a wait ended. 'granted': the record holds an allocation the waiter now owns. 'full': a grant
 * pass refused it (no room with no slot in use: the kernel's "swiotlb buffer is full").
 */
export type WaitOutcome = 'granted' | 'timeout' | 'abort' | 'full'

/**
 * What became of a record that is no longer waiting (and was not cancelled): granted, or refused (then
 * freed here, as its owner is done with it).
 */
export function endedWithout(queue: SharedWaitQueue, rec: number): WaitOutcome {
  if (queue.state(rec) !== REFUSED) return 'granted'
  queue.free(rec)
  return 'full'
}

/**
 * A wait whose time is up now: the record leaves the queue and is freed ('timeout'), unless a grant or
 * a refusal reached it first.
 */
export function timedOut(queue: SharedWaitQueue, rec: number): WaitOutcome {
  if (!queue.cancel(rec)) return endedWithout(queue, rec)
  queue.free(rec)
  return 'timeout'
}

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> }

/** Atomics.waitAsync (ES2024; in Node since 16, not yet in this project's TypeScript lib). */
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync

/**
 * Keeps this thread's event loop alive while it has waiters: a pending Atomics.waitAsync does not,
 * and a worker whose only work is a wait would exit with its record still queued (checked on Node 20).
 * A MessagePort with a listener is a handle the loop counts; it is unref'd when nobody waits.
 */
export class KeepAlive {
  #port: MessagePort | undefined
  #count = 0
  #closed = false

  hold(): void {
    this.#closed = false
    if (this.#count++ !== 0) return
    if (this.#port === undefined) {
      this.#port = new MessageChannel().port1
      this.#port.on('message', () => {})
    } else this.#port.ref()
  }

  release(): void {
    if (--this.#count !== 0) return
    if (this.#closed) this.close()
    else this.#port?.unref()
  }

  /** Closes the port now, or once the last waiter is done. */
  close(): void {
    this.#closed = true
    if (this.#count !== 0) return
    this.#port?.close()
    this.#port = undefined
  }
}

/**
 * A waiter's watch on its signal, begun before its record is queued. Waiters of one thread that share
 * a signal share one listener (`signals`, a SignalWatch per thread's view), through the signal's methods
 * as read at parse time (RequestSpec): an addEventListener that throws is an ArgumentTypeError naming
 * the signal with nothing to undo, and one that fires the listener at once leaves `fired` set.
 */
export class AbortWatch {
  fired = false
  #onFire: (() => void) | undefined = undefined
  /** True until the signal fires or the waiter stops watching. */
  #watching = true
  readonly #signal: AbortSignal
  readonly #signals: SignalWatch<AbortWatch>

  constructor(
    spec: Pick<RequestSpec, 'signal' | 'signalAdd' | 'signalRemove'>,
    signals: SignalWatch<AbortWatch>,
  ) {
    this.#signal = spec.signal!
    this.#signals = signals
    if (!signals.add(this, this.#signal, spec.signalAdd!, spec.signalRemove!)) {
      throw new ArgumentTypeError('signal', 'an AbortSignal whose addEventListener works', this.#signal)
    }
  }

  /** One SignalWatch for a thread's waiters: a firing signal fires each of its watches. */
  static watch(): SignalWatch<AbortWatch> {
    return new SignalWatch<AbortWatch>((watches) => {
      for (const w of watches) w.#fire()
    })
  }

  /** What a firing does from now on (it cancels the record, once there is one). */
  onFire(fn: () => void): void {
    this.#onFire = fn
  }

  remove(): void {
    this.#onFire = undefined
    if (!this.#watching) return
    this.#watching = false
    this.#signals.remove(this, this.#signal)
  }

  #fire(): void {
    this.#watching = false
    this.fired = true
    this.#onFire?.()
  }
}

export interface WaitLimits {
  timeoutMs: number
  /** The waiter's watch on its signal, already begun (see AbortWatch). */
  abort: AbortWatch | undefined
}

/**
 * Waits without blocking the thread until record `rec` is granted, or its timeout or signal takes it
 * out of the queue. Leaves nothing behind: the timer is cleared, the listener removed, the record
 * freed (unless granted: its owner frees it after taking the allocation), and the last waitAsync has
 * resolved (a cancel notifies the record's own word).
 */
export function waitForGrant(
  queue: SharedWaitQueue,
  waiters: Int32Array,
  rec: number,
  clock: Clock,
  limits: WaitLimits,
  keepAlive: KeepAlive,
): Promise<WaitOutcome> {
  return new Promise((resolve) => {
    const at = queue.stateIndex(rec)
    let timer: TimerHandle | undefined
    let reason: WaitOutcome = 'timeout'
    const settle = (outcome: WaitOutcome): void => {
      if (timer !== undefined) clock.clearTimer(timer)
      limits.abort?.remove()
      keepAlive.release()
      if (outcome !== 'granted') queue.free(rec)
      resolve(outcome)
    }
    // Only this loop settles: a timeout or abort cancels the record and notifies its word, and the
    // loop then sees CANCELLED. So the record is never freed under a pending waitAsync.
    const watch = (): void => {
      for (;;) {
        const state = Atomics.load(waiters, at)
        if (state === GRANTED || state === CANCELLED || state === REFUSED) {
          settle(state === GRANTED ? 'granted' : state === REFUSED ? 'full' : reason)
          return
        }
        const r = waitAsync(waiters, at, WAITING)
        if (r.async) {
          r.value.then(watch)
          return
        }
      }
    }
    keepAlive.hold()
    limits.abort?.onFire(() => {
      if (queue.cancel(rec)) reason = 'abort'
    })
    if (Number.isFinite(limits.timeoutMs)) {
      timer = clock.setTimer(limits.timeoutMs, () => {
        timer = undefined
        if (queue.cancel(rec)) reason = 'timeout'
      })
    }
    watch()
  })
}

/**
 * Blocks the thread (Atomics.wait) until record `rec` is granted or `timeoutMs` passes. For worker
 * code that may block; on a thread that must release the slots itself it would wait forever.
 */
export function waitForGrantSync(
  queue: SharedWaitQueue,
  waiters: Int32Array,
  rec: number,
  clock: Clock,
  timeoutMs: number,
): WaitOutcome {
  const at = queue.stateIndex(rec)
  const deadline = clock.now() + timeoutMs
  for (;;) {
    const state = Atomics.load(waiters, at)
    if (state === GRANTED || state === REFUSED) return endedWithout(queue, rec)
    const left = deadline - clock.now()
    const woke = left > 0 ? Atomics.wait(waiters, at, WAITING, left) : 'timed-out'
    if (woke === 'timed-out') return timedOut(queue, rec)
  }
}

import { ArgumentTypeError, WaitCancelledError } from '../errors.js'
import type { SwiotlbContext } from './context.js'
import { type PendingMap, rejectWaiter } from './pending-map.js'
import type { RequestSpec } from './request.js'
import { SettleLater } from './settle-later.js'
import { reasonOf, SignalWatch } from './signal-watch.js'

/**
 * How waiters leave a queue without a mapping: their own timeout or signal, or cancelWaiting. A waiter
 * that leaves leaves nothing behind (slot, queue entry, timer, listener), is rejected and reported
 * before anyone its leaving admits (api.md, fairness rule 7), and is counted as a timeout or an abort.
 * The wait path (WaitPath) makes waiters; this takes them out.
 */
export class Departures {
  readonly #ctx: SwiotlbContext
  /** The wait path's: the queue changed (waitQueue$, growth's wait, the drain promises). */
  readonly #queueChanged: () => void
  /** One abort listener per signal, whatever the number of waiters sharing it. */
  readonly #signals = new SignalWatch<PendingMap>((waiters, signal) => {
    let reason: unknown
    let read = false
    const leaving: PendingMap[] = []
    for (const w of waiters) {
      w.extra!.watched = false
      // A waiter in the middle of its admission (an event subscriber aborted) comes too late.
      if (w.extra!.admitting) continue
      // Fired before the request's promise exists (inside addEventListener, or an event subscriber
      // during submit): the request leaves as soon as it can.
      if (w.resolve === undefined) w.extra!.abortPending = true
      else leaving.push(w)
    }
    this.leaveAll(leaving, 'abort', () => {
      if (!read) reason = reasonOf(signal)
      read = true
      return reason
    })
  })
  readonly #late = new SettleLater()

  constructor(ctx: SwiotlbContext, queueChanged: () => void) {
    this.#ctx = ctx
    this.#queueChanged = queueChanged
  }

  /**
   * Where admissions settle now: a SettleLater while a leaving or a refusal drains the queue (its
   * callers see the leaver's rejection first), undefined when they settle at once.
   */
  get settleLater(): SettleLater | undefined {
    return this.#late.hops === 0 ? undefined : this.#late
  }

  /** `w` is rejected now: what this operation settles after it waits until its caller has seen that. */
  #rejected(w: PendingMap, error: unknown): void {
    rejectWaiter(w, error)
    this.#late.hops = Math.max(this.#late.hops, w.rejectionHops())
  }

  /**
   * A refusal inside a drain: the admissions after it in this synchronous run settle late; the next
   * microtask clears that (nothing admitted later needs it).
   */
  refused(w: PendingMap, error: unknown): void {
    if (this.#late.hops === 0) void Promise.resolve().then(this.#clearHops)
    this.#rejected(w, error)
  }

  readonly #clearHops = (): void => {
    this.#late.hops = 0
  }

  /**
   * Rejects every waiting blocking request (or `device`'s) with `reason`, or a WaitCancelledError each
   * when there is none; counted and reported as aborts. Nobody is admitted until all have left; then
   * the policy admits whom the freed budget lets in. Returns how many were rejected.
   */
  cancel(reason: unknown, hasReason: boolean, device: string | undefined): number {
    const policy = this.#ctx.policy
    if (policy === undefined || policy.waiting === 0) return 0
    const gone = policy.takeWaiting(device) as PendingMap[]
    this.leaveAll(
      gone,
      'abort',
      (w) => (hasReason ? reason : new WaitCancelledError(w.sizeBytes, w.device)),
      true,
    )
    return gone.length
  }

  /**
   * Waiters leave together: each is rejected and reported in arrival order, then the queue is drained
   * once, so none of them can be admitted by the leaving of another (only a head's leaving admits
   * anyone; cancel takes whole queues). `taken`: already out of the queue. A rejection reaches a map
   * caller one microtask late and a withMapping caller two: the admissions the leaving makes settle
   * that late (SettleLater).
   */
  leaveAll(
    waiters: PendingMap[],
    why: 'timeout' | 'abort',
    error: (w: PendingMap) => unknown,
    taken = false,
  ): void {
    if (waiters.length === 0) return
    const ctx = this.#ctx
    const policy = ctx.policy!
    const held = ctx.streams.hold()
    const hops = this.#late.hops
    try {
      const now = ctx.clock.now()
      let headLeft = taken
      for (const w of waiters) {
        this.detach(w)
        if (why === 'abort') ctx.counters.aborts++
        else ctx.counters.timeouts++
        this.emit(why, w.sizeBytes, w.device, now - w.enqueuedAt)
        this.#rejected(w, error(w))
        if (!taken && policy.remove(w, false)) headLeft = true
      }
      if (headLeft) policy.drain()
      ctx.growth?.retryShrinks()
      this.#queueChanged()
    } finally {
      this.#late.hops = hops
      ctx.streams.release(held)
    }
  }

  /**
   * Watches `w`'s signal through the methods read at parse time. A rejected promise when the caller's
   * addEventListener throws (an ArgumentTypeError naming `signal`) or fires the listener at once
   * (the abort); undefined when armed.
   */
  arm(w: PendingMap, spec: RequestSpec, signal: AbortSignal): Promise<never> | undefined {
    const ctx = this.#ctx
    // Set first: a listener that fires inside addEventListener clears it again.
    w.extra!.watched = true
    if (!this.#signals.add(w, signal, spec.signalAdd!, spec.signalRemove!)) {
      w.extra!.watched = false
      return Promise.reject(
        new ArgumentTypeError('signal', 'an AbortSignal whose addEventListener works', signal),
      )
    }
    if (!w.extra!.abortPending) return undefined
    this.detach(w)
    ctx.counters.aborts++
    this.emit('abort', spec.sizeBytes, spec.device, 0)
    return Promise.reject(reasonOf(signal))
  }

  /** Stops `w`'s timer and signal listener, if it has them. */
  detach(w: PendingMap): void {
    const extra = w.extra
    if (extra === undefined) return
    if (extra.timer !== undefined) this.#ctx.clock.clearTimer(extra.timer)
    extra.timer = undefined
    if (extra.watched) {
      extra.watched = false
      this.#signals.remove(w, extra.signal!)
    }
  }

  /** Reports a leaving on events$ (when anyone listens). */
  emit(type: 'timeout' | 'abort', size: number, device: string, waitedMs: number): void {
    const events = this.#ctx.events
    if (events.active) events.emit({ type, at: this.#ctx.clock.now(), size, device, waitedMs })
  }
}

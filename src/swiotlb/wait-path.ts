import { SLOT_SIZE } from '../allocator/layout.js'
import type { Pool } from '../allocator/pool.js'
import {
  ArgumentTypeError,
  MappingTooLargeError,
  SwiotlbFullError,
  ThrottleTimeoutError,
  WaitCancelledError,
} from '../errors.js'
import type { WaitQueueState } from '../stats/events.js'
import type { ThrottleHost } from '../throttle/policy.js'
import type { Waiter } from '../throttle/wait-queue.js'
import type { SwiotlbContext } from './context.js'
import { DrainWatch } from './drain-watch.js'
import type { Mapping } from './mapping.js'
import { PendingCall, PendingMap, promiseFor } from './pending-map.js'
import type { RequestSpec } from './request.js'
import { SettleLater } from './settle-later.js'
import { reasonOf, SignalWatch } from './signal-watch.js'
import type { MappingCallback } from './with-mapping.js'

/**
 * The blocking side of map: a request that cannot be admitted at once waits in the policy's queue
 * until a release (or a grow) hands it slots directly, or until its own timeout or signal takes it
 * out. A waiter that leaves leaves nothing behind: no slot, no queue entry, no timer, no listener.
 *
 * It is the policy's ThrottleHost: the policy decides who goes next, `grant` maps for that waiter and
 * settles it.
 */
export class WaitPath implements ThrottleHost {
  readonly #ctx: SwiotlbContext
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
      if (w.reject === undefined) w.extra!.abortPending = true
      else leaving.push(w)
    }
    this.#leaveAll(leaving, 'abort', () => {
      if (!read) reason = reasonOf(signal)
      read = true
      return reason
    })
  })

  /** The promises of onIdle and onQueueBelow. */
  readonly drains = new DrainWatch(
    () => this.#ctx.policy?.waiting ?? 0,
    () => (this.#ctx.policy?.blockingUsed ?? 0) !== 0,
  )

  /** True while a withMapping caller's leaving drains the queue: see SettleLater. */
  #callLeft = false
  readonly #late = new SettleLater()

  constructor(ctx: SwiotlbContext) {
    this.#ctx = ctx
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
    this.#leaveAll(
      gone,
      'abort',
      (w) => (hasReason ? reason : new WaitCancelledError(w.sizeBytes, w.device)),
      true,
    )
    return gone.length
  }

  /**
   * Waiters leave together: each is rejected and reported in arrival order, then the queue is drained
   * once, so none of them can be admitted by the leaving of another. `taken`: already out of the queue.
   */
  #leaveAll(
    waiters: PendingMap[],
    why: 'timeout' | 'abort',
    error: (w: PendingMap) => unknown,
    taken = false,
  ): void {
    if (waiters.length === 0) return
    const ctx = this.#ctx
    const policy = ctx.policy!
    const held = ctx.streams.hold()
    const callLeft = this.#callLeft
    try {
      const now = ctx.clock.now()
      // As for one waiter leaving, only a head's leaving admits anyone; cancel takes whole queues.
      let headLeft = taken
      for (const w of waiters) {
        this.#detach(w)
        if (why === 'abort') ctx.counters.aborts++
        else ctx.counters.timeouts++
        this.#emitLeave(why, w.sizeBytes, w.device, now - w.enqueuedAt)
        w.reject!(error(w))
        if (w instanceof PendingCall) this.#callLeft = true
        if (!taken && policy.remove(w, false)) headLeft = true
      }
      if (headLeft) policy.drain()
      ctx.growth?.retryShrinks()
      this.queueChanged()
    } finally {
      this.#callLeft = callLeft
      ctx.streams.release(held)
    }
  }

  get nslabs(): number {
    return this.#ctx.allocator.nslabs
  }

  get used(): number {
    return this.#ctx.allocator.used
  }

  /**
   * A blocking request: admitted at once when the policy's fast path lets it straight to the
   * allocator (the Mapping, with no waiter made), else handed to `#wait`.
   */
  map(spec: RequestSpec, fn?: MappingCallback<unknown>): Mapping | Promise<unknown> {
    const ctx = this.#ctx
    const policy = ctx.policy!
    // An already-aborted signal rejects (in #wait) even when the request could be admitted at once.
    if (!spec.signalAborted && policy.fastPath(spec.nslots, spec.device)) {
      const m = ctx.maps.allocate(spec.request(true))
      if (m !== undefined) {
        policy.admitted(spec.nslots, spec.device)
        this.admitted(0)
        return m
      }
      // The pools were searched just now and had no room: #wait need not search again.
      return this.#wait(spec, false, fn)
    }
    return this.#wait(spec, true, fn)
  }

  /**
   * A blocking request the fast path could not admit: admitted now (the Mapping), queued (a pending
   * promise) or refused (a rejected one). `tryNow` is false when the fast path already searched the
   * pools for it and found no room. With `fn` (withMapping's callback) the waiter is a PendingCall.
   */
  #wait(
    spec: RequestSpec,
    tryNow: boolean,
    fn: MappingCallback<unknown> | undefined,
  ): Mapping | Promise<unknown> {
    const ctx = this.#ctx
    const policy = ctx.policy!
    const signal = spec.signal
    if (spec.signalAborted) {
      ctx.counters.aborts++
      this.#emitLeave('abort', spec.sizeBytes, spec.device, 0)
      return Promise.reject(spec.signalReason)
    }
    const capacity = ctx.growth ? ctx.growth.maxNslabs() : ctx.allocator.nslabs
    const maxSlots = policy.maxSlots(capacity)
    if (spec.nslots > maxSlots) {
      return Promise.reject(new MappingTooLargeError(spec.sizeBytes, maxSlots * SLOT_SIZE, 'blocking budget'))
    }
    const now = ctx.clock.now()
    const w =
      fn === undefined
        ? new PendingMap(spec, spec.shape(), now)
        : new PendingCall(spec, spec.shape(), now, fn)
    // The listener goes on before the request enters the queue: a caller's addEventListener that throws
    // (or fires at once) then leaves nothing to undo.
    if (signal !== undefined) {
      const refused = this.#arm(w, spec, signal)
      if (refused !== undefined) return refused
    }
    const waitingBefore = policy.waiting
    if (policy.submit(w, tryNow)) {
      this.#detach(w)
      if (policy.waiting !== waitingBefore) this.queueChanged()
      return w.extra!.mapping!
    }
    const refusal = w.extra?.refusal
    if (refusal !== undefined) {
      if (policy.waiting !== waitingBefore) this.queueChanged()
      return Promise.reject(refusal)
    }
    if (spec.timeoutMs === 0) {
      // It never waited: it leaves as it came, and the queue is as it was (no waitQueue$ state), unless
      // its leaving let somebody in. Its timeout is reported before anyone that admits (rule 7).
      this.#detach(w)
      ctx.counters.timeouts++
      this.#emitLeave('timeout', spec.sizeBytes, spec.device, 0)
      policy.remove(w)
      if (policy.waiting !== waitingBefore) this.queueChanged()
      return Promise.reject(new ThrottleTimeoutError(0, spec.sizeBytes))
    }
    const promise = promiseFor(w)
    if (w.extra?.abortPending === true) {
      this.#leave(w, 'abort', reasonOf(signal!))
      return promise
    }
    if (spec.timeoutMs !== Number.POSITIVE_INFINITY) {
      const timeoutMs = spec.timeoutMs
      const extra = w.extras()
      extra.timer = ctx.clock.setTimer(timeoutMs, () => {
        extra.timer = undefined
        this.#leave(w, 'timeout', new ThrottleTimeoutError(timeoutMs, w.sizeBytes))
      })
    }
    if (ctx.events.active) {
      ctx.events.emit({
        type: 'throttle',
        at: w.enqueuedAt,
        size: w.sizeBytes,
        device: w.device,
        waiting: policy.waiting,
      })
    }
    this.queueChanged()
    return promise
  }

  /**
   * Watches `w`'s signal through the methods read at parse time. A rejected promise when the caller's
   * addEventListener throws (an ArgumentTypeError naming `signal`) or fires the listener at once
   * (the abort); undefined when armed.
   */
  #arm(w: PendingMap, spec: RequestSpec, signal: AbortSignal): Promise<never> | undefined {
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
    this.#detach(w)
    ctx.counters.aborts++
    this.#emitLeave('abort', spec.sizeBytes, spec.device, 0)
    return Promise.reject(reasonOf(signal))
  }

  /**
   * A waiter leaves without a mapping (counted as a timeout or an abort); its events wait until it is
   * out. It is rejected, and its event emitted, before it leaves the queue: leaving may admit the
   * waiters behind it, and they must not be seen settling before the one that arrived first (after a
   * withMapping caller, whose promise is one microtask further, they settle one microtask late:
   * SettleLater).
   */
  #leave(w: PendingMap, why: 'timeout' | 'abort', error: unknown): void {
    this.#leaveAll([w], why, () => error)
  }

  #detach(w: PendingMap): void {
    const extra = w.extra
    if (extra === undefined) return
    if (extra.timer !== undefined) this.#ctx.clock.clearTimer(extra.timer)
    extra.timer = undefined
    if (extra.watched) {
      extra.watched = false
      this.#signals.remove(w, extra.signal!)
    }
  }

  /** Direct handoff: allocate for a waiter and settle it before anyone else can take the slots. */
  grant(waiter: Waiter): Mapping | undefined {
    const w = waiter as PendingMap
    const ctx = this.#ctx
    const waited = ctx.clock.now() - w.enqueuedAt
    const extra = w.extra
    if (extra !== undefined) extra.admitting = true
    const m = ctx.maps.allocate(w)
    if (extra !== undefined) extra.admitting = false
    if (m === undefined) return undefined
    w.admit(waited)
    this.#detach(w)
    this.admitted(waited)
    if (w.resolve !== undefined) {
      if (ctx.events.active) {
        ctx.events.emit({
          type: 'admit',
          at: ctx.clock.now(),
          addr: m.addr,
          size: m.size,
          device: m.device,
          waitedMs: waited,
        })
      }
      const resolve = w.resolve
      // The mapping keeps its waiter as its request: let go of the promise and the signal.
      w.resolve = undefined
      w.reject = undefined
      w.extra = undefined
      if (this.#callLeft) this.#late.add(resolve, w.settlement(m))
      else resolve(w.settlement(m))
    } else w.extras().mapping = m
    return m
  }

  /** The policy refused a waiter that found no slots: it fails as the kernel's map does. */
  refuse(waiter: Waiter): void {
    const w = waiter as PendingMap
    const ctx = this.#ctx
    const { allocator, counters, events } = ctx
    this.#detach(w)
    counters.failures++
    const at = ctx.clock.now()
    const used = allocator.memUsed()
    if (events.active) {
      events.emit({ type: 'full', at, size: w.sizeBytes, device: w.device, total: allocator.nslabs, used })
    }
    const error = new SwiotlbFullError(w.sizeBytes, allocator.nslabs, used)
    if (w.reject !== undefined) w.reject(error)
    else w.extras().refusal = error
    ctx.growth?.retryShrinks()
  }

  /** No slot in use, no transient pool and no grow to come: see ThrottleHost.stranded. */
  stranded(): boolean {
    const { allocator, growth } = this.#ctx
    if (allocator.used !== 0 || allocator.transientNslabs !== 0) return false
    return growth === undefined || !growth.mayAddRoom()
  }

  /** A blocking request got its slots after `waitedMs` (0 on the fast path). */
  admitted(waitedMs: number): void {
    this.#ctx.counters.admitted++
    this.#ctx.waits.record(waitedMs)
  }

  /** `m` was unmapped (its slots are free): the policy admits whom they let in. */
  released(m: Mapping): void {
    const ctx = this.#ctx
    const policy = ctx.policy
    if (policy === undefined) return
    const before = policy.waiting
    if (m.blocking) policy.release(m)
    else policy.drain()
    if (policy.waiting !== before) this.queueChanged()
    else if (m.blocking && this.drains.size !== 0) this.drains.check()
    ctx.growth?.retryShrinks()
  }

  /** Growth added `pool`: report it, then admit the waiters it lets in. */
  grown(pool: Pool): void {
    const ctx = this.#ctx
    const held = ctx.streams.hold()
    try {
      if (ctx.events.active) {
        ctx.events.emit({
          type: 'grow',
          at: ctx.clock.now(),
          bytes: pool.nslabs * SLOT_SIZE,
          addr: pool.start,
          nslabs: pool.nslabs,
          areas: pool.nareas,
        })
      }
      const policy = ctx.policy
      if (policy === undefined) return
      const before = policy.waiting
      policy.drain()
      if (policy.waiting !== before) this.queueChanged()
    } finally {
      ctx.streams.release(held)
    }
  }

  /** The queue changed: re-arm growth's wait and report it on waitQueue$. */
  queueChanged(): void {
    const ctx = this.#ctx
    ctx.growth?.queueChanged()
    if (ctx.queue.active) ctx.queue.emit(this.#state())
    if (this.drains.size !== 0) this.drains.check(this.#callLeft ? this.#late : undefined)
  }

  #state(): WaitQueueState {
    const policy = this.#ctx.policy
    const now = this.#ctx.clock.now()
    const oldest = policy?.oldest()
    return {
      at: now,
      length: policy?.waiting ?? 0,
      bytesWaiting: policy?.bytesWaiting ?? 0,
      headWaitedMs: oldest === undefined ? 0 : now - oldest.enqueuedAt,
    }
  }

  #emitLeave(type: 'timeout' | 'abort', size: number, device: string, waitedMs: number): void {
    const events = this.#ctx.events
    if (events.active) events.emit({ type, at: this.#ctx.clock.now(), size, device, waitedMs })
  }
}

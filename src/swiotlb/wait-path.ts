import { SLOT_SIZE } from '../allocator/layout.js'
import type { Pool } from '../allocator/pool.js'
import { MappingTooLargeError, SwiotlbFullError, ThrottleTimeoutError } from '../errors.js'
import type { WaitQueueState } from '../stats/events.js'
import type { ThrottleHost } from '../throttle/policy.js'
import type { Waiter } from '../throttle/wait-queue.js'
import type { SwiotlbContext } from './context.js'
import { Departures } from './departures.js'
import { DrainWatch } from './drain-watch.js'
import type { Mapping } from './mapping.js'
import { PendingCall, PendingMap, promiseFor } from './pending-map.js'
import type { RequestSpec } from './request.js'
import { reasonOf } from './signal-watch.js'
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
  /** Timeouts, aborts and cancelWaiting: how waiters leave without a mapping. */
  readonly #leaving: Departures

  /** The promises of onIdle and onQueueBelow. */
  readonly drains = new DrainWatch(
    () => this.#ctx.policy?.waiting ?? 0,
    () => (this.#ctx.policy?.blockingUsed ?? 0) !== 0,
  )

  constructor(ctx: SwiotlbContext) {
    this.#ctx = ctx
    this.#leaving = new Departures(ctx, () => this.queueChanged())
  }

  /** cancelWaiting: see Departures.cancel. */
  cancel(reason: unknown, hasReason: boolean, device: string | undefined): number {
    return this.#leaving.cancel(reason, hasReason, device)
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
    const leaving = this.#leaving
    const signal = spec.signal
    if (spec.signalAborted) {
      ctx.counters.aborts++
      leaving.emit('abort', spec.sizeBytes, spec.device, 0)
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
      const refused = leaving.arm(w, spec, signal)
      if (refused !== undefined) return refused
    }
    const waitingBefore = policy.waiting
    if (policy.submit(w, tryNow)) {
      leaving.detach(w)
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
      leaving.detach(w)
      ctx.counters.timeouts++
      leaving.emit('timeout', spec.sizeBytes, spec.device, 0)
      policy.remove(w)
      if (policy.waiting !== waitingBefore) this.queueChanged()
      return Promise.reject(new ThrottleTimeoutError(0, spec.sizeBytes))
    }
    const promise = promiseFor(w)
    if (w.extra?.abortPending === true) {
      leaving.leaveAll([w], 'abort', () => reasonOf(signal!))
      return promise
    }
    if (spec.timeoutMs !== Number.POSITIVE_INFINITY) {
      const timeoutMs = spec.timeoutMs
      const extra = w.extras()
      extra.timer = ctx.clock.setTimer(timeoutMs, () => {
        extra.timer = undefined
        leaving.leaveAll([w], 'timeout', () => new ThrottleTimeoutError(timeoutMs, w.sizeBytes))
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

  /** Direct handoff: allocate for a waiter and settle it before anyone else can take the slots. */
  grant(waiter: Waiter): Mapping | undefined {
    const w = waiter as PendingMap
    const ctx = this.#ctx
    const leaving = this.#leaving
    const now = ctx.admissionClock.now()
    const waited = now - w.enqueuedAt
    const extra = w.extra
    if (extra !== undefined) extra.admitting = true
    const m = ctx.maps.allocate(w)
    if (extra !== undefined) extra.admitting = false
    if (m === undefined) return undefined
    w.admit(waited)
    leaving.detach(w)
    this.admitted(waited)
    if (w.resolve !== undefined) {
      if (ctx.events.active) {
        ctx.events.emit({
          type: 'admit',
          at: now,
          addr: m.addr,
          size: m.size,
          device: m.device,
          waitedMs: waited,
        })
      }
      const resolve = w.resolve
      // The mapping keeps its waiter as its request: let go of the promise and the signal.
      w.resolve = undefined
      w.extra = undefined
      const late = leaving.settleLater
      if (late !== undefined) late.add(resolve, w.settlement(m))
      else resolve(w.settlement(m))
    } else w.extras().mapping = m
    return m
  }

  /** The policy refused a waiter that found no slots: it fails as the kernel's map does. */
  refuse(waiter: Waiter): void {
    const w = waiter as PendingMap
    const ctx = this.#ctx
    const { allocator, counters, events } = ctx
    this.#leaving.detach(w)
    counters.failures++
    const at = ctx.clock.now()
    const used = allocator.memUsed()
    if (events.active) {
      events.emit({ type: 'full', at, size: w.sizeBytes, device: w.device, total: allocator.nslabs, used })
    }
    const error = new SwiotlbFullError(w.sizeBytes, allocator.nslabs, used)
    if (w.resolve !== undefined) this.#leaving.refused(w, error)
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
    if (this.drains.size !== 0) this.drains.check(this.#leaving.settleLater)
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
}

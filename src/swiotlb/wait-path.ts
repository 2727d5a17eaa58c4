import { SLOT_SIZE } from '../allocator/layout.js'
import type { Pool } from '../allocator/pool.js'
import { MappingTooLargeError, ThrottleTimeoutError, WaitCancelledError } from '../errors.js'
import type { WaitQueueState } from '../stats/events.js'
import type { ThrottleHost } from '../throttle/policy.js'
import type { Waiter } from '../throttle/wait-queue.js'
import type { SwiotlbContext } from './context.js'
import { DrainWatch } from './drain-watch.js'
import type { Mapping } from './mapping.js'
import { PendingMap, promiseFor, type RequestSpec } from './request.js'
import { SignalWatch } from './signal-watch.js'

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
  readonly #signals = new SignalWatch((waiters, reason) => {
    // A waiter in the middle of its admission (an event subscriber aborted) comes too late.
    this.#leaveAll(
      waiters.filter((w) => !w.admitting),
      'abort',
      () => reason,
    )
  })

  /** The promises of onIdle and onQueueBelow. */
  readonly drains = new DrainWatch(
    () => this.#ctx.policy?.waiting ?? 0,
    () => (this.#ctx.policy?.blockingUsed ?? 0) !== 0,
  )

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
  #leaveAll(waiters: PendingMap[], why: 'abort', error: (w: PendingMap) => unknown, taken = false): void {
    if (waiters.length === 0) return
    const ctx = this.#ctx
    const policy = ctx.policy!
    const held = ctx.streams.hold()
    try {
      const now = ctx.clock.now()
      for (const w of waiters) {
        this.#detach(w)
        ctx.counters.aborts++
        this.#emitLeave(why, w.sizeBytes, w.device, now - w.enqueuedAt)
        w.reject!(error(w))
        if (!taken) policy.remove(w, false)
      }
      policy.drain()
      ctx.growth?.retryShrinks()
      this.queueChanged()
    } finally {
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
   * A blocking request the fast path could not admit: admitted now (the Mapping), queued (a pending
   * promise) or refused (a rejected one). `tryNow` is false when the fast path already searched the
   * pools for it and found no room.
   */
  map(spec: RequestSpec, tryNow: boolean): Mapping | Promise<unknown> {
    const ctx = this.#ctx
    const policy = ctx.policy!
    const signal = spec.signal
    if (signal?.aborted) {
      ctx.counters.aborts++
      this.#emitLeave('abort', spec.sizeBytes, spec.device, 0)
      return Promise.reject(signal.reason)
    }
    const capacity = ctx.growth ? ctx.growth.maxNslabs() : ctx.allocator.nslabs
    const maxSlots = policy.maxSlots(capacity)
    if (spec.nslots > maxSlots) {
      return Promise.reject(new MappingTooLargeError(spec.sizeBytes, maxSlots * SLOT_SIZE, 'blocking budget'))
    }
    const w = new PendingMap(spec, ctx.clock.now())
    const waitingBefore = policy.waiting
    if (policy.submit(w, tryNow)) {
      if (policy.waiting !== waitingBefore) this.queueChanged()
      return w.mapping!
    }
    if (spec.timeoutMs === 0) {
      policy.remove(w)
      ctx.counters.timeouts++
      this.#emitLeave('timeout', spec.sizeBytes, spec.device, 0)
      this.queueChanged()
      return Promise.reject(new ThrottleTimeoutError(0, spec.sizeBytes))
    }
    const promise = promiseFor(w)
    if (spec.timeoutMs !== Number.POSITIVE_INFINITY) {
      const timeoutMs = spec.timeoutMs
      w.timer = ctx.clock.setTimer(timeoutMs, () => {
        w.timer = undefined
        ctx.counters.timeouts++
        this.#leave(w, 'timeout', new ThrottleTimeoutError(timeoutMs, w.sizeBytes))
      })
    }
    if (signal !== undefined) {
      w.watched = true
      this.#signals.add(w, signal)
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
   * A waiter leaves without a mapping; its events wait until it is out. It is rejected, and its event
   * emitted, before it leaves the queue: leaving may admit the waiters behind it, and they must not be
   * seen settling before the one that arrived first.
   */
  #leave(w: PendingMap, why: 'timeout' | 'abort', error: unknown): void {
    const ctx = this.#ctx
    const held = ctx.streams.hold()
    try {
      this.#detach(w)
      this.#emitLeave(why, w.sizeBytes, w.device, ctx.clock.now() - w.enqueuedAt)
      w.reject!(error)
      ctx.policy!.remove(w)
      ctx.growth?.retryShrinks()
      this.queueChanged()
    } finally {
      ctx.streams.release(held)
    }
  }

  #detach(w: PendingMap): void {
    if (w.timer !== undefined) this.#ctx.clock.clearTimer(w.timer)
    w.timer = undefined
    if (w.watched) this.#signals.remove(w, w.signal!)
    w.watched = false
  }

  /** Direct handoff: allocate for a waiter and settle it before anyone else can take the slots. */
  grant(waiter: Waiter): Mapping | undefined {
    const w = waiter as PendingMap
    const ctx = this.#ctx
    const waited = ctx.clock.now() - w.enqueuedAt
    w.admitting = true
    const m = ctx.maps.allocate(w, true, waited)
    w.admitting = false
    if (m === undefined) return undefined
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
      w.resolve(m)
    } else w.mapping = m
    return m
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
    if (this.drains.size !== 0) this.drains.check()
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

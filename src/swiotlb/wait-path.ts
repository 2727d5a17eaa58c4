import { SLOT_SIZE } from '../allocator/layout.js'
import type { SwiotlbAllocator } from '../allocator/swiotlb-allocator.js'
import type { Clock } from '../clock/clock.js'
import { MappingTooLargeError, ThrottleTimeoutError } from '../errors.js'
import type { Growth } from '../growth/growth.js'
import type { EventHold, Hub, SwiotlbEvent, WaitQueueState } from '../stats/events.js'
import type { Histogram } from '../stats/histogram.js'
import type { Counters } from '../stats/stats.js'
import type { ThrottlePolicy } from '../throttle/policy.js'
import type { MappingTable } from './map-path.js'
import type { Mapping } from './mapping.js'
import { PendingMap, promiseFor, type RequestSpec } from './request.js'
import type { JobRunner, MappingCallback } from './with-mapping.js'

export interface WaitPathParts {
  clock: Clock
  allocator: SwiotlbAllocator
  table: MappingTable
  growth: Growth | undefined
  counters: Counters
  waits: Histogram
  events: Hub<SwiotlbEvent>
  queue: Hub<WaitQueueState>
  streams: EventHold
  jobs: JobRunner
}

/**
 * The blocking side of map: a request that cannot be admitted at once waits in the policy's queue
 * until a release (or a grow) hands it slots directly, or until its own timeout or signal takes it
 * out. A waiter that leaves leaves nothing behind: no slot, no queue entry, no timer, no listener.
 */
export class WaitPath {
  readonly #clock: Clock
  readonly #allocator: SwiotlbAllocator
  readonly #table: MappingTable
  readonly #growth: Growth | undefined
  readonly #counters: Counters
  readonly #waits: Histogram
  readonly #events: Hub<SwiotlbEvent>
  readonly #queue: Hub<WaitQueueState>
  readonly #jobs: JobRunner
  readonly #streams: EventHold

  constructor(
    parts: WaitPathParts,
    private readonly policy: ThrottlePolicy | undefined,
  ) {
    this.#clock = parts.clock
    this.#allocator = parts.allocator
    this.#table = parts.table
    this.#growth = parts.growth
    this.#counters = parts.counters
    this.#waits = parts.waits
    this.#events = parts.events
    this.#queue = parts.queue
    this.#jobs = parts.jobs
    this.#streams = parts.streams
  }

  /**
   * A blocking request the fast path could not admit: admitted now (the Mapping), queued (a pending
   * promise) or refused (a rejected one). `tryNow` is false when the fast path already searched the
   * pools for it and found no room. A queued withMapping call (`fn`) settles with its callback's result.
   */
  map(
    spec: RequestSpec,
    policy: ThrottlePolicy,
    tryNow: boolean,
    fn: MappingCallback<unknown> | undefined,
  ): Mapping | Promise<unknown> {
    const signal = spec.signal
    if (signal?.aborted) {
      this.#counters.aborts++
      this.#emitLeave('abort', spec.sizeBytes, spec.device, 0)
      return Promise.reject(signal.reason)
    }
    const capacity = this.#growth ? this.#growth.maxNslabs() : this.#allocator.nslabs
    const maxSlots = policy.maxSlots(capacity)
    if (spec.nslots > maxSlots) {
      return Promise.reject(new MappingTooLargeError(spec.sizeBytes, maxSlots * SLOT_SIZE, 'blocking budget'))
    }
    const w = new PendingMap(spec, this.#clock.now())
    const waitingBefore = policy.waiting
    if (policy.submit(w, tryNow)) {
      if (policy.waiting !== waitingBefore) this.queueChanged()
      return w.mapping!
    }
    if (spec.timeoutMs === 0) {
      policy.remove(w)
      this.#counters.timeouts++
      this.#emitLeave('timeout', spec.sizeBytes, spec.device, 0)
      this.queueChanged()
      return Promise.reject(new ThrottleTimeoutError(0, spec.sizeBytes))
    }
    const promise = promiseFor(w)
    w.fn = fn
    if (spec.timeoutMs !== Number.POSITIVE_INFINITY) {
      const timeoutMs = spec.timeoutMs
      w.timer = this.#clock.setTimer(timeoutMs, () => {
        w.timer = undefined
        this.#counters.timeouts++
        this.#leave(w, 'timeout', new ThrottleTimeoutError(timeoutMs, w.sizeBytes))
      })
    }
    if (signal !== undefined) {
      w.onAbort = () => {
        if (w.admitting) return
        this.#counters.aborts++
        this.#leave(w, 'abort', signal.reason)
      }
      signal.addEventListener('abort', w.onAbort, { once: true })
    }
    if (this.#events.active) {
      this.#events.emit({
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
    const held = this.#streams.hold()
    try {
      this.#detach(w)
      this.#emitLeave(why, w.sizeBytes, w.device, this.#clock.now() - w.enqueuedAt)
      w.reject!(error)
      this.policy!.remove(w)
      this.#growth?.retryShrinks()
      this.queueChanged()
    } finally {
      this.#streams.release(held)
    }
  }

  #detach(w: PendingMap): void {
    if (w.timer !== undefined) this.#clock.clearTimer(w.timer)
    w.timer = undefined
    if (w.onAbort !== undefined) w.signal!.removeEventListener('abort', w.onAbort)
    w.onAbort = undefined
  }

  /** Direct handoff: allocate for a waiter and settle it before anyone else can take the slots. */
  grant(w: PendingMap): boolean {
    const waited = this.#clock.now() - w.enqueuedAt
    w.admitting = true
    const m = this.#table.allocate(w, true, w.throttled, waited)
    w.admitting = false
    if (m === undefined) return false
    this.#detach(w)
    this.admitted(waited)
    if (w.resolve !== undefined) {
      if (this.#events.active) {
        this.#events.emit({
          type: 'admit',
          at: this.#clock.now(),
          addr: m.addr,
          size: m.size,
          device: m.device,
          waitedMs: waited,
        })
      }
      if (w.fn === undefined) w.resolve(m)
      else {
        w.mapping = m
        this.#jobs.start(w)
      }
    } else w.mapping = m
    return true
  }

  /** A blocking request got its slots after `waitedMs` (0 on the fast path). */
  admitted(waitedMs: number): void {
    this.#counters.admitted++
    this.#waits.record(waitedMs)
  }

  /** The queue changed: re-arm growth's wait and report it on waitQueue$. */
  queueChanged(): void {
    this.#growth?.queueChanged()
    if (this.#queue.active) this.#queue.emit(this.#state())
  }

  #state(): WaitQueueState {
    const policy = this.policy
    const now = this.#clock.now()
    const oldest = policy?.oldest()
    return {
      at: now,
      length: policy?.waiting ?? 0,
      bytesWaiting: policy?.bytesWaiting ?? 0,
      headWaitedMs: oldest === undefined ? 0 : now - oldest.enqueuedAt,
    }
  }

  #emitLeave(type: 'timeout' | 'abort', size: number, device: string, waitedMs: number): void {
    if (this.#events.active) this.#events.emit({ type, at: this.#clock.now(), size, device, waitedMs })
  }
}

import { SLOT_SIZE } from '../allocator/layout.js'
import type { Clock } from '../clock/clock.js'
import { MappingTooLargeError, SwiotlbFullError, ThrottleTimeoutError } from '../errors.js'
import type { RequestSpec } from '../swiotlb/request.js'
import { reasonOf } from '../swiotlb/signal-watch.js'
import { SharedQueueFullError } from './errors.js'
import {
  C_BUDGET,
  C_NSLABS,
  C_WAITERS,
  N_ABORTS,
  N_FAILURES,
  N_TIMEOUTS,
  type SharedViews,
} from './layout.js'
import type { SharedMapping } from './mapping.js'
import { GRANTED, REFUSED, type SharedWaitQueue } from './wait-queue.js'
import {
  AbortWatch,
  endedWithout,
  KeepAlive,
  timedOut,
  type WaitOutcome,
  waitForGrant,
  waitForGrantSync,
} from './waiting.js'

/** What a mapping is made from once its slots are found. */
export type Granted = Pick<RequestSpec, 'sizeBytes' | 'nslots' | 'dir' | 'orig'>

/** How the facade allocates at once, and builds a mapping for slots granted from the queue. */
export interface BlockingHost {
  allocate(spec: RequestSpec, blocking: boolean): SharedMapping | undefined
  mapping(req: Granted, addrOffset: number, generation: number, waitedMs: number): SharedMapping
}

/**
 * The blocking map path of one thread's view (DESIGN §4's budget mode, across threads): admitted at
 * once when nobody waits and the budget and an area have room; otherwise one record in the shared
 * FIFO, waited on asynchronously (Atomics.waitAsync) or synchronously (Atomics.wait).
 */
export class BlockingPath {
  readonly keepAlive = new KeepAlive()
  /** One abort listener per signal for this thread's waiters. */
  readonly #signals = AbortWatch.watch()

  constructor(
    private readonly views: SharedViews,
    private readonly queue: SharedWaitQueue,
    private readonly clock: Clock,
    private readonly host: BlockingHost,
  ) {}

  async map(spec: RequestSpec): Promise<SharedMapping> {
    const signal = spec.signal
    // The signal as read once at parse time: an aborted one rejects even when there is room.
    if (spec.signalAborted) {
      Atomics.add(this.views.meta, N_ABORTS, 1)
      throw spec.signalReason
    }
    const fast = this.#fastPath(spec)
    if (fast !== undefined) return fast
    // The listener goes on before the record is queued: an addEventListener that throws, or fires at
    // once, then leaves nothing to undo.
    const abort = signal === undefined ? undefined : new AbortWatch(spec, this.#signals)
    if (abort?.fired === true) {
      abort.remove()
      Atomics.add(this.views.meta, N_ABORTS, 1)
      throw reasonOf(signal!)
    }
    let rec: number
    try {
      rec = this.#enqueue(spec)
    } catch (error) {
      abort?.remove()
      throw error
    }
    const queue = this.queue
    const { timeoutMs, sizeBytes } = spec
    const request = copy(spec)
    const start = this.clock.now()
    let outcome: WaitOutcome
    const state = queue.state(rec)
    const ended = state === GRANTED || state === REFUSED
    if (ended || timeoutMs === 0) {
      abort?.remove()
      outcome = ended ? endedWithout(queue, rec) : timedOut(queue, rec)
    } else {
      outcome = await waitForGrant(
        queue,
        this.views.waiters,
        rec,
        this.clock,
        { timeoutMs, abort },
        this.keepAlive,
      )
    }
    return this.#settle(rec, outcome, request, this.clock.now() - start, timeoutMs, sizeBytes, signal)
  }

  mapSync(spec: RequestSpec): SharedMapping {
    const fast = this.#fastPath(spec)
    if (fast !== undefined) return fast
    const rec = this.#enqueue(spec)
    const { timeoutMs, sizeBytes } = spec
    const request = copy(spec)
    const start = this.clock.now()
    const outcome = waitForGrantSync(this.queue, this.views.waiters, rec, this.clock, timeoutMs)
    return this.#settle(rec, outcome, request, this.clock.now() - start, timeoutMs, sizeBytes, undefined)
  }

  /** A blocking request admitted at once: nobody waits and the budget and an area have room. */
  #fastPath(spec: RequestSpec): SharedMapping | undefined {
    const budget = this.views.meta[C_BUDGET]!
    if (spec.nslots > budget)
      throw new MappingTooLargeError(spec.sizeBytes, budget * SLOT_SIZE, 'blocking budget')
    const queue = this.queue
    if (queue.waiting !== 0 || !queue.reserve(spec.nslots)) return undefined
    const m = this.host.allocate(spec, true)
    if (m !== undefined) return m
    // The budget goes back, and whoever queued while it was held gets it now: a grant pass, as after
    // an unmap (without one, a head that came in meanwhile could wait for a release that never comes).
    queue.unreserve(spec.nslots)
    queue.drain()
    return undefined
  }

  #enqueue(spec: RequestSpec): number {
    const rec = this.queue.enqueue(spec)
    if (rec < 0) throw new SharedQueueFullError(this.views.meta[C_WAITERS]!, spec.sizeBytes)
    return rec
  }

  #settle(
    rec: number,
    outcome: WaitOutcome,
    request: Granted,
    waitedMs: number,
    timeoutMs: number,
    sizeBytes: number,
    signal: AbortSignal | undefined,
  ): SharedMapping {
    const meta = this.views.meta
    if (outcome === 'timeout') {
      Atomics.add(meta, N_TIMEOUTS, 1)
      throw new ThrottleTimeoutError(timeoutMs, sizeBytes)
    }
    if (outcome === 'abort') {
      Atomics.add(meta, N_ABORTS, 1)
      throw reasonOf(signal!)
    }
    if (outcome === 'full') {
      Atomics.add(meta, N_FAILURES, 1)
      // Refused only while no slot was in use: the kernel's message with the numbers of that moment.
      throw new SwiotlbFullError(sizeBytes, meta[C_NSLABS]!, 0)
    }
    const queue = this.queue
    const addrOffset = queue.result(rec)
    const generation = queue.generation(rec)
    queue.free(rec)
    return this.host.mapping(request, addrOffset, generation, waitedMs)
  }
}

/** The request's fields a later mapping needs: the parsed spec is reused by the next call. */
function copy(spec: RequestSpec): Granted {
  return { sizeBytes: spec.sizeBytes, nslots: spec.nslots, dir: spec.dir, orig: spec.orig }
}

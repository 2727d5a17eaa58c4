import { NO_ORIG_ADDR } from '../allocator/layout.js'
import type { TimerHandle } from '../clock/clock.js'
import type { MappingDirection } from '../stats/types.js'
import { Waiter } from '../throttle/wait-queue.js'
import type { Mapping } from './mapping.js'
import type { AllocRequest, RequestSpec } from './request.js'
import type { MappingCallback } from './with-mapping.js'

/**
 * Where a request may be placed and how it is mapped: everything about it but its size and its bytes.
 * Immutable, so that waiters that place alike share one (most share one of two: a sub-page request
 * or a page-aligned one, from cpu 0, with no masks). With no match mask the original address plays
 * no part in the search (Pool.search compares it under the match mask only), so it is kept as
 * NO_ORIG_ADDR then, and a buffer's offset does not make a shape of its own.
 */
export class MapShape {
  readonly cpu: number
  readonly dir: MappingDirection
  readonly alignMask: number
  readonly matchMask: number
  readonly origAddr: number
  readonly offset: number
  readonly boundaryMask: number

  constructor(spec: RequestSpec) {
    this.cpu = spec.cpu
    this.dir = spec.dir
    this.alignMask = spec.alignMask
    this.matchMask = spec.matchMask
    this.origAddr = spec.matchMask === 0 ? NO_ORIG_ADDR : spec.origAddr
    this.offset = spec.offset
    this.boundaryMask = spec.boundaryMask
  }

  /** True when `spec` places and maps as this shape does. */
  fits(spec: RequestSpec): boolean {
    return (
      this.alignMask === spec.alignMask &&
      this.cpu === spec.cpu &&
      this.dir === spec.dir &&
      this.matchMask === spec.matchMask &&
      this.offset === spec.offset &&
      this.boundaryMask === spec.boundaryMask &&
      (spec.matchMask === 0 || this.origAddr === spec.origAddr)
    )
  }
}

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
 * the scavenger copies them while they wait: 13 fields (the placement fields shared through a
 * MapShape, the rare ones behind `extra`), where a request's 25 were copied before. With 10,000 tasks
 * through a budget of 16, the manual map + await + unmap form allocated ~1,860 bytes a task, of
 * which ~450 here.
 */
export class PendingMap extends Waiter implements AllocRequest {
  readonly shape: MapShape
  readonly orig: Uint8Array | undefined
  resolve: ((value: unknown) => void) | undefined = undefined
  reject: ((e: unknown) => void) | undefined = undefined
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

  /** The extras, made the first time they are needed. */
  extras(): WaitExtras {
    if (this.extra === undefined) this.extra = new WaitExtras()
    return this.extra
  }

  get signal(): AbortSignal | undefined {
    return this.extra?.signal
  }

  get cpu(): number {
    return this.shape.cpu
  }

  get dir(): MappingDirection {
    return this.shape.dir
  }

  get alignMask(): number {
    return this.shape.alignMask
  }

  get matchMask(): number {
    return this.shape.matchMask
  }

  get origAddr(): number {
    return this.shape.origAddr
  }

  get offset(): number {
    return this.shape.offset
  }

  get boundaryMask(): number {
    return this.shape.boundaryMask
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
}

let settling: PendingMap | undefined

/** One shared executor, so that a waiting request costs no closure for its promise. */
function capture(resolve: (value: unknown) => void, reject: (e: unknown) => void): void {
  settling!.resolve = resolve
  settling!.reject = reject
}

/** The promise a waiting request's caller awaits; `w.resolve`/`w.reject` settle it. */
export function promiseFor(w: PendingMap): Promise<unknown> {
  settling = w
  const promise = new Promise<unknown>(capture)
  settling = undefined
  return promise
}

import { maxMappingBytes } from '../allocator/layout.js'
import type { Clock } from '../clock/clock.js'
import { ArgumentRangeError, ArgumentTypeError } from '../errors.js'
import type { SwiotlbEvent, WaitQueueState } from '../stats/events.js'
import { fromHub, type Observable, sampled } from '../stats/rx.js'
import { buildStats } from '../stats/stats.js'
import type { SwiotlbStats } from '../stats/types.js'
import { SwiotlbContext } from './context.js'
import { Mapping, type MappingOwner, type UnmapOptions } from './mapping.js'
import {
  type MapOptions,
  type NormalizedOptions,
  normalizeOptions,
  normalizeRetune,
  type SwiotlbOptions,
} from './options.js'
import type { PendingCall } from './pending-map.js'
import { isBitMask, RequestSpec } from './request.js'
import { type MappingCallback, runQueued, runWithMapping } from './with-mapping.js'

/**
 * A swiotlb bounce-buffer pool (io_tlb_mem) with a fair wait queue for callers that may block,
 * fail-fast for callers that may not, and bounded growth.
 *
 * Who may overtake whom: non-blocking calls (`tryMap`, `mayBlock: false`) never wait and never queue;
 * they may use any free slot, including the band above the blocking budget. Blocking calls are admitted
 * in arrival order (per device under 'fair-share'); a newcomer never takes slots a waiter was promised.
 */
export class Swiotlb implements MappingOwner {
  readonly clock: Clock
  readonly backing: boolean
  /** Everything this pool is made of (see SwiotlbContext). */
  readonly #ctx: SwiotlbContext
  readonly #spec = new RequestSpec()
  /** True while a map/tryMap call uses `#spec` (a subscriber may call again from inside it). */
  #specBusy = false
  readonly #options: NormalizedOptions
  /** Every event, as it happens (see SwiotlbEvent). */
  readonly events$: Observable<SwiotlbEvent>
  /** The wait queue after every change. */
  readonly waitQueue$: Observable<WaitQueueState>

  constructor(options?: SwiotlbOptions) {
    const o = normalizeOptions(options)
    this.#options = o
    this.clock = o.clock
    this.backing = o.backing
    this.#ctx = new SwiotlbContext(o, this, options?.size)
    this.events$ = fromHub(this.#ctx.events)
    this.waitQueue$ = fromHub(this.#ctx.queue)
  }

  /**
   * Maps `buf` (or, with `backing: false`, a byte count) into the bounce pool.
   *
   * Non-blocking (default): resolves if any pool has room, else rejects with SwiotlbFullError.
   * Blocking (`true` or `{ mayBlock: true }`): waits its turn in the throttle's FIFO; rejects only for
   * its own `timeoutMs`, its `signal`, a request that can never fit, or one the kernel's search misses
   * while nothing is mapped and no grow can come (SwiotlbFullError: no release could let it in).
   */
  map(buf: ArrayBufferView | number, mayBlock?: boolean | MapOptions): Promise<Mapping> {
    return Promise.resolve(this.#request(buf, mayBlock)) as Promise<Mapping>
  }

  /**
   * Maps `buf` as `map` does, calls `fn(mapping)`, and unmaps when fn's promise settles (or fn throws):
   * resolves with fn's value, rejects with its error, or with map's when there was no mapping. The
   * one-call form of map + unmap (async-mutex's runExclusive, p-limit's limit(fn)): the mapping is never
   * leaked, and a queued call holds no async frame while it waits. A callback that unmaps the mapping
   * itself is fine. The callback always starts on a later microtask, never inside the caller's frame nor
   * another caller's unmap, and runs in the caller's async context (see runWithMapping).
   */
  withMapping<R>(buf: ArrayBufferView | number, fn: MappingCallback<R>): Promise<R>
  withMapping<R>(
    buf: ArrayBufferView | number,
    mayBlock: boolean | MapOptions | undefined,
    fn: MappingCallback<R>,
  ): Promise<R>
  withMapping<R>(
    buf: ArrayBufferView | number,
    mayBlockOrFn: boolean | MapOptions | MappingCallback<R> | undefined,
    fn?: MappingCallback<R>,
  ): Promise<R> {
    const callback = typeof mayBlockOrFn === 'function' ? mayBlockOrFn : fn
    if (typeof callback !== 'function')
      return Promise.reject(new ArgumentTypeError('fn', 'a function (mapping) => value', callback))
    const mayBlock = typeof mayBlockOrFn === 'function' ? undefined : mayBlockOrFn
    // The events wait until the callback's reaction is registered: a subscriber's own withMapping
    // (called when it sees this one's 'map') then registers after it, and callbacks start in
    // admission order.
    const streams = this.#ctx.streams
    const held = streams.hold()
    try {
      const r = this.#request(buf, mayBlock, callback as MappingCallback<unknown>)
      if (r instanceof Mapping) return runWithMapping(Promise.resolve(r), callback)
      // A queued call's promise settles with its waiter, which holds the callback (see runQueued).
      return runQueued(r as Promise<PendingCall>) as Promise<R>
    } finally {
      streams.release(held)
    }
  }

  /**
   * Admits a request at once (the Mapping) or returns the promise its caller awaits. `fn`: the
   * callback of a withMapping call, which a queued request then carries.
   */
  #request(buf: unknown, mayBlock: unknown, fn?: MappingCallback<unknown>): Mapping | Promise<unknown> {
    const streams = this.#ctx.streams
    const held = streams.hold()
    try {
      // A call from inside another (a subscriber's) gets a spec of its own.
      if (this.#specBusy) return this.#map(new RequestSpec(), buf, mayBlock, fn)
      this.#specBusy = true
      try {
        return this.#map(this.#spec, buf, mayBlock, fn)
      } finally {
        this.#specBusy = false
      }
    } finally {
      streams.release(held)
    }
  }

  #map(
    spec: RequestSpec,
    buf: unknown,
    mayBlock: unknown,
    fn: MappingCallback<unknown> | undefined,
  ): Mapping | Promise<unknown> {
    try {
      spec.parse(buf, mayBlock, this.backing)
    } catch (error) {
      return Promise.reject(error)
    }
    const ctx = this.#ctx
    const policy = ctx.policy
    if (!spec.mayBlock || policy === undefined) {
      const m = ctx.maps.mapNow(spec)
      if (m !== undefined) return m
      ctx.maps.countFull(spec)
      return Promise.reject(ctx.maps.fullError(spec))
    }
    return ctx.wait.map(spec, fn)
  }

  /** The non-blocking decision, synchronously: a Mapping, or undefined when no pool has room. */
  tryMap(
    buf: ArrayBufferView | number,
    options?: Omit<MapOptions, 'mayBlock' | 'signal' | 'timeoutMs'>,
  ): Mapping | undefined {
    const streams = this.#ctx.streams
    const held = streams.hold()
    try {
      if (this.#specBusy) return this.#tryMap(new RequestSpec(), buf, options)
      this.#specBusy = true
      try {
        return this.#tryMap(this.#spec, buf, options)
      } finally {
        this.#specBusy = false
      }
    } finally {
      streams.release(held)
    }
  }

  #tryMap(spec: RequestSpec, buf: unknown, options: unknown): Mapping | undefined {
    spec.parse(buf, options, this.backing)
    if (spec.mayBlock) throw new ArgumentRangeError('options.mayBlock', 'false or absent in tryMap', true)
    const m = this.#ctx.maps.mapNow(spec)
    // tryMap's caller gets undefined: no error object (and no stack) is built for it.
    if (m === undefined) this.#ctx.maps.countFull(spec)
    return m
  }

  /**
   * Unmaps a mapping (or its address). Synchronous, never blocks: copies back for 'from-device' and
   * 'bidirectional', frees the slots, then admits waiters. Anything that is not a live mapping of this
   * pool throws InvalidUnmapError and changes nothing.
   */
  unmap(target: Mapping | number, options?: UnmapOptions): void {
    const ctx = this.#ctx
    const held = ctx.streams.hold()
    try {
      const m = ctx.maps.resolveLive(target)
      ctx.maps.unmap(m, options)
      ctx.wait.released(m)
    } finally {
      ctx.streams.release(held)
    }
  }

  /**
   * Rejects every waiting blocking request, or only `device`'s, with `reason` (or a WaitCancelledError
   * each, code ERR_WAIT_CANCELLED, when no reason is given), as their own signal would: counted in
   * `throttle.aborts`, an 'abort' event each, in arrival order, and no trace left (queue entry, timer,
   * listener). Mappings already admitted are untouched. Then the waiters the freed budget lets in are
   * admitted (another device's, under fair-share). O(waiters); returns how many were rejected.
   */
  cancelWaiting(reason?: unknown, options?: { device?: string }): number {
    let device: string | undefined
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null || Array.isArray(options))
        throw new ArgumentTypeError('options', 'an object { device? }', options)
      for (const key of Object.keys(options)) {
        if (key !== 'device') throw new ArgumentRangeError('options', 'an object with the key device', key)
      }
      device = options.device
      if (device !== undefined && typeof device !== 'string')
        throw new ArgumentTypeError('options.device', 'a string', device)
    }
    const held = this.#ctx.streams.hold()
    try {
      return this.#ctx.wait.cancel(reason, reason !== undefined, device)
    } finally {
      this.#ctx.streams.release(held)
    }
  }

  /**
   * Retunes the throttle at run time: `{ high?, low? }` or `{ budgetBytes }` as in the constructor (a
   * field left out keeps its value; `low` follows a lower `high` down). A smaller budget revokes nothing: admitted mappings
   * stay, and nobody is admitted until blocking usage is below it. A larger one admits waiters at once,
   * in order. Waiters larger than a smaller budget keep waiting (cancelWaiting takes them out). Bad
   * input throws a coded error and changes nothing; a pool built with `throttle: false` has nothing
   * to retune.
   */
  setThrottle(throttle: { high?: number; low?: number } | { budgetBytes: number; low?: number }): void {
    const config = this.#options.throttle
    if (config === false)
      throw new ArgumentRangeError(
        'throttle',
        'a pool built with a throttle (this one has throttle: false)',
        throttle,
      )
    const next = normalizeRetune(throttle, config, this.#ctx.allocator.nslabs)
    const ctx = this.#ctx
    const held = ctx.streams.hold()
    try {
      // The policy reads these thresholds on every decision (they are the object it was built from).
      config.high = next.high
      config.low = next.low
      config.budgetSlots = next.budgetSlots
      const policy = ctx.policy!
      const before = policy.waiting
      policy.drain()
      if (policy.waiting !== before) ctx.wait.queueChanged()
    } finally {
      ctx.streams.release(held)
    }
  }

  /**
   * Resolves when the throttle is idle: nobody waiting and no blocking mapping live (p-queue's onIdle,
   * async-mutex's waitForUnlock). Non-blocking mappings do not count. At once when idle already, or
   * with `throttle: false`. Rejects with `signal.reason` when `signal` aborts, leaving no listener.
   */
  onIdle(signal?: AbortSignal): Promise<void> {
    if (signal !== undefined && !(signal instanceof AbortSignal))
      return Promise.reject(new ArgumentTypeError('signal', 'an AbortSignal', signal))
    return this.#ctx.wait.drains.wait(0, signal)
  }

  /**
   * Resolves when fewer than `n` blocking requests wait (p-queue's onSizeLessThan): a producer's
   * backpressure point. `n` is a whole number ≥ 1. Rejects with `signal.reason` when `signal` aborts.
   */
  onQueueBelow(n: number, signal?: AbortSignal): Promise<void> {
    if (typeof n !== 'number') return Promise.reject(new ArgumentTypeError('n', 'a whole number >= 1', n))
    if (!Number.isSafeInteger(n) || n < 1)
      return Promise.reject(new ArgumentRangeError('n', 'a whole number >= 1', n))
    if (signal !== undefined && !(signal instanceof AbortSignal))
      return Promise.reject(new ArgumentTypeError('signal', 'an AbortSignal', signal))
    return this.#ctx.wait.drains.wait(n, signal)
  }

  /** Sampled snapshots every `intervalMs` on this pool's clock, vmstat style. */
  usage$(intervalMs: number): Observable<SwiotlbStats> {
    if (typeof intervalMs !== 'number' || !(intervalMs > 0) || !Number.isFinite(intervalMs)) {
      throw new ArgumentRangeError('intervalMs', 'a finite number of ms > 0', intervalMs)
    }
    return sampled(this.clock, intervalMs, () => this.stats())
  }

  /** A frozen snapshot of the pool, the throttle and growth. */
  stats(): SwiotlbStats {
    return buildStats(this.#ctx, this.clock.now())
  }

  /** Resets the high-water mark; only 0 is accepted (the kernel's debugfs answers -EINVAL otherwise). */
  resetHiwater(value: number): void {
    if (value !== 0) throw new ArgumentRangeError('value', '0 (only a reset to zero is allowed)', value)
    this.#ctx.allocator.resetHiwater()
  }

  /** True when `addr` falls in one of this Swiotlb's pools (is_swiotlb_buffer). */
  isSwiotlbBuffer(addr: number): boolean {
    return Number.isSafeInteger(addr) && this.#ctx.allocator.poolOf(addr) !== undefined
  }

  /** swiotlb_max_mapping_size. */
  maxMappingSize(minAlignMask = 0): number {
    if (!isBitMask(minAlignMask))
      throw new ArgumentRangeError('minAlignMask', 'a bit mask, a whole number in [0, 2^30)', minAlignMask)
    const bytes = maxMappingBytes(minAlignMask)
    // swiotlb_max_mapping_size subtracts roundup(mask, slot) from 256 KiB: a mask that leaves nothing
    // has no mapping size to advertise.
    if (bytes <= 0)
      throw new ArgumentRangeError(
        'minAlignMask',
        'a mask below 256 KiB - 2048 (one that leaves room)',
        minAlignMask,
      )
    return bytes
  }

  /** Sum of the per-area high-water marks (what summing per-area marks would report). */
  perAreaHiwaterSum(): number {
    return this.#ctx.allocator.perAreaHiwaterSum()
  }

  /** Clears the timers growth holds (the fallback-grow wait and shrink timers). Waiters keep waiting. */
  close(): void {
    this.#ctx.growth?.dispose()
  }

  get options(): Readonly<NormalizedOptions> {
    return this.#options
  }
}

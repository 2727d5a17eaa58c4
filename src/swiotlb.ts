import { maxMappingBytes, SLOT_SIZE } from './allocator/layout.js'
import type { Pool } from './allocator/pool.js'
import { SwiotlbAllocator } from './allocator/swiotlb-allocator.js'
import type { Clock } from './clock/clock.js'
import { ArgumentRangeError, ArgumentTypeError } from './errors.js'
import { Growth } from './growth/growth.js'
import { Mapping, type MappingOwner, type UnmapOptions } from './mapping.js'
import { MappingTable } from './mapping-table.js'
import { type MapOptions, type NormalizedOptions, normalizeOptions, type SwiotlbOptions } from './options.js'
import { isBitMask, type PendingMap, RequestSpec } from './request.js'
import { EventHold, Hub, type SwiotlbEvent, type WaitQueueState } from './stats/events.js'
import { Histogram } from './stats/histogram.js'
import { fromHub, type Observable, sampled } from './stats/rx.js'
import { buildStats, type Counters } from './stats/stats.js'
import type { SwiotlbStats } from './stats/types.js'
import { BudgetPolicy } from './throttle/budget.js'
import { FairSharePolicy } from './throttle/fair-share.js'
import type { ThrottleHost, ThrottlePolicy } from './throttle/policy.js'
import { SerializePolicy } from './throttle/serialize.js'
import { WaitPath } from './wait-path.js'
import { JobRunner, type MappingCallback } from './with-mapping.js'

/**
 * A swiotlb bounce-buffer pool (io_tlb_mem) with a fair wait queue for callers that may block,
 * fail-fast for callers that may not, and bounded growth.
 *
 * Who may overtake whom: non-blocking calls (`tryMap`, `mayBlock: false`) never wait and never queue;
 * they may use any free slot, including the band above the blocking budget. Blocking calls are admitted
 * in arrival order (per device under fairShare); a newcomer never takes slots a waiter was promised.
 */
export class Swiotlb implements MappingOwner {
  readonly clock: Clock
  readonly backing: boolean
  readonly #allocator: SwiotlbAllocator
  readonly #policy: ThrottlePolicy | undefined
  readonly #growth: Growth | undefined
  readonly #table: MappingTable
  readonly #wait: WaitPath
  readonly #spec = new RequestSpec()
  /** True while a map/tryMap call uses `#spec` (a subscriber may call again from inside it). */
  #specBusy = false
  readonly #events = new Hub<SwiotlbEvent>()
  readonly #queue = new Hub<WaitQueueState>()
  /**
   * Events wait until the operation that raised them is complete: a subscriber that calls back in
   * sees the budget, queue and pools as they are after it, never half way.
   */
  readonly #streams = new EventHold(this.#events, this.#queue)
  readonly #waits = new Histogram(1000)
  readonly #jobs = new JobRunner()
  readonly #counters: Counters = { live: 0, failures: 0, admitted: 0, timeouts: 0, aborts: 0 }
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
    try {
      this.#allocator = new SwiotlbAllocator({
        nslabs: o.nslabs,
        nareas: o.nareas,
        backing: o.backing,
        now: o.clock.now(),
      })
    } catch (error) {
      // Typed-array length limits or no memory: a size this host cannot hold.
      const why = error instanceof Error ? error.message : String(error)
      throw new ArgumentRangeError('size', `a pool this host can allocate (${why})`, options?.size)
    }
    const allocator = this.#allocator
    const host: ThrottleHost = {
      grant: (w) => this.#wait.grant(w as PendingMap),
      get nslabs() {
        return allocator.nslabs
      },
      get used() {
        return allocator.used
      },
    }
    if (o.throttle !== false) {
      const t = o.throttle
      this.#policy =
        t.mode === 'serialize'
          ? new SerializePolicy(host, t)
          : t.fairShare
            ? new FairSharePolicy(host, t)
            : new BudgetPolicy(host, t)
    }
    if (o.growth !== false) {
      this.#growth = new Growth(o.growth, {
        clock: this.clock,
        allocator,
        oldestWaiter: () => this.#policy?.oldest(),
        onGrowStart: (bytes, reason) =>
          this.#emit({ type: 'grow-start', at: this.clock.now(), bytes, reason }),
        onGrown: (pool) => this.#grown(pool),
        mayShrink: (pool) => {
          const policy = this.#policy
          if (policy === undefined) return true
          if (policy.waiting !== 0) return false
          return (
            policy.mode === 'serialize' ||
            policy.blockingUsed <= policy.maxSlots(allocator.nslabs - pool.nslabs)
          )
        },
        onGrowFailed: (bytes) => this.#emit({ type: 'grow-failed', at: this.clock.now(), bytes }),
        onShrink: (pool) =>
          this.#emit({
            type: 'shrink',
            at: this.clock.now(),
            bytes: pool.nslabs * SLOT_SIZE,
            addr: pool.start,
          }),
      })
    }
    this.#table = new MappingTable(this, allocator, this.#growth, this.#events, this.clock, this.#counters)
    this.#wait = new WaitPath(
      {
        clock: this.clock,
        allocator,
        table: this.#table,
        growth: this.#growth,
        counters: this.#counters,
        waits: this.#waits,
        events: this.#events,
        queue: this.#queue,
        streams: this.#streams,
        jobs: this.#jobs,
      },
      this.#policy,
    )
    this.events$ = fromHub(this.#events)
    this.waitQueue$ = fromHub(this.#queue)
  }

  /**
   * Maps `buf` (or, with `backing: false`, a byte count) into the bounce pool.
   *
   * Non-blocking (default): resolves if any pool has room, else rejects with SwiotlbFullError.
   * Blocking (`true` or `{ mayBlock: true }`): waits its turn in the throttle's FIFO; rejects only for
   * its own `timeoutMs`, its `signal`, or a request that can never fit.
   */
  map(buf: ArrayBufferView | number, mayBlock?: boolean | MapOptions): Promise<Mapping> {
    return Promise.resolve(this.#request(buf, mayBlock, undefined)) as Promise<Mapping>
  }

  /**
   * Maps `buf` as `map` does, calls `fn(mapping)`, and unmaps when fn's promise settles (or fn throws):
   * resolves with fn's value, rejects with its error, or with map's when there was no mapping. The
   * one-call form of map + unmap (async-mutex's runExclusive, p-limit's limit(fn)): the mapping is never
   * leaked, and a queued call holds no async frame while it waits. A callback that unmaps the mapping
   * itself is fine. A queued call's callback starts on the microtask after its admission, never inside
   * another caller's unmap (see JobRunner).
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
    const r = this.#request(buf, mayBlock, callback as MappingCallback<unknown>)
    return r instanceof Mapping ? this.#jobs.run(r, callback) : (r as Promise<R>)
  }

  /** Admits a request at once (the Mapping) or returns the promise its caller awaits. */
  #request(
    buf: unknown,
    mayBlock: unknown,
    fn: MappingCallback<unknown> | undefined,
  ): Mapping | Promise<unknown> {
    const held = this.#streams.hold()
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
      this.#streams.release(held)
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
    const policy = this.#policy
    if (!spec.mayBlock || policy === undefined) {
      const m = this.#table.mapNow(spec)
      if (m !== undefined) return m
      this.#table.countFull(spec)
      return Promise.reject(this.#table.fullError(spec))
    }
    // An already-aborted signal rejects (in WaitPath.map) even when the request could be admitted at once.
    if (spec.signal?.aborted !== true && policy.fastPath(spec.nslots, spec.device)) {
      const m = this.#table.allocate(spec, true, false, 0)
      if (m !== undefined) {
        policy.admitted(spec.nslots, spec.device)
        this.#wait.admitted(0)
        return m
      }
      // The pools were searched just now and had no room: the wait path need not search again.
      return this.#wait.map(spec, policy, false, fn)
    }
    return this.#wait.map(spec, policy, true, fn)
  }

  /** The non-blocking decision, synchronously: a Mapping, or undefined when no pool has room. */
  tryMap(
    buf: ArrayBufferView | number,
    options?: Omit<MapOptions, 'mayBlock' | 'signal' | 'timeoutMs'>,
  ): Mapping | undefined {
    const held = this.#streams.hold()
    try {
      if (this.#specBusy) return this.#tryMap(new RequestSpec(), buf, options)
      this.#specBusy = true
      try {
        return this.#tryMap(this.#spec, buf, options)
      } finally {
        this.#specBusy = false
      }
    } finally {
      this.#streams.release(held)
    }
  }

  #tryMap(spec: RequestSpec, buf: unknown, options: unknown): Mapping | undefined {
    spec.parse(buf, options, this.backing)
    if (spec.mayBlock) throw new ArgumentRangeError('options.mayBlock', 'false or absent in tryMap', true)
    const m = this.#table.mapNow(spec)
    // tryMap's caller gets undefined: no error object (and no stack) is built for it.
    if (m === undefined) this.#table.countFull(spec)
    return m
  }

  /**
   * Unmaps a mapping (or its address). Synchronous, never blocks: copies back for 'from-device' and
   * 'bidirectional', frees the slots, then admits waiters. Anything that is not a live mapping of this
   * pool throws InvalidUnmapError and changes nothing.
   */
  unmap(target: Mapping | number, options?: UnmapOptions): void {
    const held = this.#streams.hold()
    try {
      const m = this.#table.resolveLive(target)
      this.#table.unmap(m, options)
      const policy = this.#policy
      if (policy === undefined) return
      const before = policy.waiting
      if (m.blocking) policy.release(m.slots, m.device, m.throttled)
      else policy.drain()
      if (policy.waiting !== before) this.#wait.queueChanged()
      this.#growth?.retryShrinks()
    } finally {
      this.#streams.release(held)
    }
  }

  #grown(pool: Pool): void {
    const held = this.#streams.hold()
    try {
      this.#drainAfterGrow(pool)
    } finally {
      this.#streams.release(held)
    }
  }

  #drainAfterGrow(pool: Pool): void {
    if (this.#events.active) {
      this.#emit({
        type: 'grow',
        at: this.clock.now(),
        bytes: pool.nslabs * SLOT_SIZE,
        addr: pool.start,
        nslabs: pool.nslabs,
        areas: pool.nareas,
      })
    }
    const policy = this.#policy
    if (policy === undefined) return
    const before = policy.waiting
    policy.drain()
    if (policy.waiting !== before) this.#wait.queueChanged()
  }

  #emit(event: SwiotlbEvent): void {
    if (this.#events.active) this.#events.emit(event)
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
    return buildStats({
      at: this.clock.now(),
      allocator: this.#allocator,
      policy: this.#policy,
      growth: this.#growth,
      counters: this.#counters,
      waits: this.#waits,
    })
  }

  /** Resets the high-water mark; only 0 is accepted (the kernel's debugfs answers -EINVAL otherwise). */
  resetHiwater(value: number): void {
    if (value !== 0) throw new ArgumentRangeError('value', '0 (only a reset to zero is allowed)', value)
    this.#allocator.resetHiwater()
  }

  /** True when `addr` falls in one of this Swiotlb's pools (is_swiotlb_buffer). */
  isSwiotlbBuffer(addr: number): boolean {
    return typeof addr === 'number' && this.#allocator.poolOf(addr) !== undefined
  }

  /** swiotlb_max_mapping_size. */
  maxMappingSize(minAlignMask = 0): number {
    if (!isBitMask(minAlignMask))
      throw new ArgumentRangeError('minAlignMask', 'a bit mask, a whole number in [0, 2^30)', minAlignMask)
    return maxMappingBytes(minAlignMask)
  }

  /** Sum of the per-area high-water marks (what summing per-area marks would report). */
  perAreaHiwaterSum(): number {
    return this.#allocator.perAreaHiwaterSum()
  }

  /** Clears the timers growth holds (the fallback-grow wait and shrink timers). Waiters keep waiting. */
  close(): void {
    this.#growth?.dispose()
  }

  get options(): Readonly<NormalizedOptions> {
    return this.#options
  }
}

import type { Clock, TimerHandle } from '../clock/clock.js'
import { ArgumentRangeError, ArgumentTypeError, InvalidUnmapError, SwiotlbFullError } from '../errors.js'
import type { UnmapOptions } from '../swiotlb/mapping.js'
import type { MapOptions } from '../swiotlb/options.js'
import { RequestSpec } from '../swiotlb/request.js'
import { byteLengthOf } from '../swiotlb/view.js'
import { BlockingPath, type Granted } from './blocking.js'
import { checkHandle, createBuffers, type SharedSwiotlbHandle } from './handle.js'
import {
  C_BUDGET,
  C_INTERVAL_MS,
  HIWATER_MODES,
  type HiwaterMode,
  MODE_SAMPLED,
  N_FAILURES,
  POOL_START,
  type SharedViews,
  viewsOf,
} from './layout.js'
import { SharedMapping } from './mapping.js'
import { type AttachOptions, normalizeAttach, normalizeShared, type SharedSwiotlbOptions } from './options.js'
import { SharedPool } from './shared-pool.js'
import { type SharedStats, statsOf } from './stats.js'
import { SharedWaitQueue } from './wait-queue.js'

const ATTACH = Symbol('attach')
type Attach = { [ATTACH]: { handle: SharedSwiotlbHandle; clock: Clock; cpu: number } }

/**
 * A bounce pool shared by worker threads (DESIGN §12). Its metadata and bounce memory live in
 * SharedArrayBuffers; `handle` passes to a worker with postMessage, and `SharedSwiotlb.attach(handle)`
 * there gives that thread its own view of the same pool. Each area has its own lock (Atomics), maps
 * start in the caller's area (`cpu`), and any thread may unmap any mapping by address.
 *
 * Blocking maps share one FIFO across threads, in the budget mode's semantics, with direct handoff;
 * they wait with Atomics.waitAsync (`map`) or Atomics.wait (`mapSync`). Non-blocking calls never wait.
 * `hiwater` selects how the high-water mark is tracked: 'exact', 'per-area', 'batched', 'sampled' or
 * 'off' (see hiwater.ts and docs/shared.md).
 */
export class SharedSwiotlb implements Disposable {
  /** Pass this to `SharedSwiotlb.attach` in another thread (through postMessage). */
  readonly handle: SharedSwiotlbHandle
  readonly nslabs: number
  readonly nareas: number
  readonly hiwaterMode: HiwaterMode
  /** This thread's CPU: maps start in area `cpu & (nareas - 1)` unless a call says otherwise. */
  readonly cpu: number
  readonly clock: Clock
  readonly #views: SharedViews
  readonly #pool: SharedPool
  readonly #queue: SharedWaitQueue
  readonly #throttle: boolean
  readonly #spec = new RequestSpec()
  readonly #blocking: BlockingPath
  #sampler: TimerHandle | undefined

  constructor(options?: SharedSwiotlbOptions) {
    const attach = (options as Partial<Attach> | undefined)?.[ATTACH]
    let handle: SharedSwiotlbHandle
    if (attach !== undefined) {
      ;({ handle, clock: this.clock, cpu: this.cpu } = attach)
    } else {
      const n = normalizeShared(options)
      handle = createBuffers(n.config)
      this.clock = n.clock
      this.cpu = n.cpu
    }
    this.handle = handle
    this.#views = viewsOf(handle)
    this.#pool = new SharedPool(this.#views)
    this.#queue = new SharedWaitQueue(this.#views.meta, this.#views.waiters, this.#pool)
    this.#blocking = new BlockingPath(this.#views, this.#queue, this.clock, this)
    this.nslabs = this.#views.nslabs
    this.nareas = this.#views.nareas
    this.hiwaterMode = HIWATER_MODES[this.#pool.hiwater.mode]!
    this.#throttle = this.#views.meta[C_BUDGET]! >= 0
    // The reader of `sampled` runs in the thread that made the pool.
    if (attach === undefined && this.#pool.hiwater.mode === MODE_SAMPLED) this.#sample()
  }

  /** This thread's view of a pool made in another thread. */
  static attach(handle: unknown, options?: AttachOptions): SharedSwiotlb {
    const h = checkHandle(handle)
    const { clock, cpu } = normalizeAttach(options)
    return new SharedSwiotlb({ [ATTACH]: { handle: h, clock, cpu } } as SharedSwiotlbOptions)
  }

  #sample(): void {
    this.#pool.hiwater.sample()
    this.#sampler = this.clock.setTimer(this.#views.meta[C_INTERVAL_MS]!, () => this.#sample())
  }

  /** The non-blocking decision, synchronously: a mapping, or undefined when no area has room. */
  tryMap(
    buf: ArrayBufferView | number,
    options?: Omit<MapOptions, 'mayBlock' | 'signal' | 'timeoutMs'>,
  ): SharedMapping | undefined {
    const spec = this.#parse(buf, options)
    if (spec.mayBlock) throw new ArgumentRangeError('options.mayBlock', 'false or absent in tryMap', true)
    const m = this.allocate(spec, false)
    if (m === undefined) Atomics.add(this.#views.meta, N_FAILURES, 1)
    return m
  }

  /**
   * Non-blocking (default): a mapping, or SwiotlbFullError at once. Blocking (`mayBlock: true`):
   * waits its turn in the shared FIFO without blocking the thread; rejects only for its `timeoutMs`
   * (ThrottleTimeoutError), its `signal` (signal.reason), a request that can never fit, or one the
   * kernel's search misses while no slot is in use (SwiotlbFullError: no release could let it in).
   */
  async map(buf: ArrayBufferView | number, mayBlock?: boolean | MapOptions): Promise<SharedMapping> {
    const spec = this.#parse(buf, mayBlock)
    if (!spec.mayBlock || !this.#throttle) return this.#mapNow(spec)
    return this.#blocking.map(spec)
  }

  /**
   * A blocking map that blocks the thread (Atomics.wait) until admitted or `timeoutMs` passes: for
   * worker code written synchronously. Never call it where only this thread could free the slots.
   */
  mapSync(buf: ArrayBufferView | number, options?: Omit<MapOptions, 'mayBlock' | 'signal'>): SharedMapping {
    const signal = (options as MapOptions | undefined)?.signal
    if (signal !== undefined)
      throw new ArgumentRangeError(
        'options.signal',
        'absent in mapSync (a blocked thread sees no abort)',
        signal,
      )
    const spec = this.#parse(buf, { ...options, mayBlock: true })
    if (!this.#throttle) return this.#mapNow(spec)
    return this.#blocking.mapSync(spec)
  }

  #parse(buf: unknown, options: unknown): RequestSpec {
    const spec = this.#spec
    spec.parse(buf, options, this.#views.memory !== undefined)
    if (typeof options !== 'object' || options === null || (options as MapOptions).cpu === undefined)
      spec.cpu = this.cpu
    return spec
  }

  #mapNow(spec: RequestSpec): SharedMapping {
    const m = this.allocate(spec, false)
    if (m !== undefined) return m
    Atomics.add(this.#views.meta, N_FAILURES, 1)
    throw new SwiotlbFullError(spec.sizeBytes, this.nslabs, this.#pool.used())
  }

  /** @internal BlockingHost */
  allocate(spec: RequestSpec, blocking: boolean): SharedMapping | undefined {
    const addrOffset = this.#pool.find(
      spec.cpu,
      spec.nslots,
      spec.alignMask,
      spec.matchMask,
      spec.origAddr,
      spec.boundaryMask,
      spec.sizeBytes,
      spec.offset,
      blocking,
    )
    if (addrOffset < 0) return undefined
    return this.mapping(spec, addrOffset, this.#pool.lastGeneration, 0)
  }

  /** @internal BlockingHost */
  mapping(req: Granted, addrOffset: number, generation: number, waitedMs: number): SharedMapping {
    const memory = this.#views.memory
    // Always copy the caller's bytes in, whatever the direction: the device never sees the bytes of a
    // mapping that held these slots before (the DMA_FROM_DEVICE info leak).
    // A waiter's buffer may have been detached or shrunk meanwhile: the slots are then zeroed (as
    // Swiotlb does), and the mapping is still the waiter's.
    const orig = req.orig
    if (memory !== undefined && orig !== undefined) {
      if (byteLengthOf(orig) === req.sizeBytes) memory.set(orig, addrOffset)
      else memory.fill(0, addrOffset, addrOffset + req.sizeBytes)
    }
    return new SharedMapping(
      this,
      POOL_START + addrOffset,
      req.sizeBytes,
      req.nslots,
      req.dir,
      waitedMs,
      addrOffset,
      generation,
      memory,
      req.orig,
    )
  }

  /**
   * Unmaps a mapping of this thread, or any live mapping of the pool by its address (from any
   * thread: no copy back, the caller's buffer is in the mapping's thread). Never blocks on the queue;
   * frees the slots, then grants waiters. Anything else throws InvalidUnmapError and changes nothing.
   */
  unmap(target: SharedMapping | number, options?: UnmapOptions): void {
    const byObject = target instanceof SharedMapping
    const addr = byObject ? target.addr : target
    if (typeof addr !== 'number' || !Number.isSafeInteger(addr))
      throw new InvalidUnmapError(`unmap of ${String(target)}: not a mapping or an address`)
    if (byObject && (!target.live || target.owner !== this))
      throw new InvalidUnmapError(
        `unmap of mapping at 0x${addr.toString(16)}: not live in this thread's view`,
      )
    if (options !== undefined && (typeof options !== 'object' || options === null))
      throw new ArgumentTypeError('options', 'an object { size?, skipCpuSync? }', options)
    const given = options?.size
    // -1 skips the size check; a size no mapping can have (not a whole number >= 1) matches none.
    const size = given === undefined ? -1 : Number.isSafeInteger(given) && given >= 1 ? given : 0
    const addrOffset = addr - POOL_START
    const copyBack =
      byObject && options?.skipCpuSync !== true && target.orig !== undefined && target.dir !== 'to-device'
        ? target
        : undefined
    const refusal = this.#pool.release(addrOffset, size, byObject ? target.generation : -1, copyBack)
    if (refusal !== undefined) {
      const why =
        refusal === 'size'
          ? `size ${String(given)} does not match the mapping's ${this.#pool.sizeAt(addrOffset)} bytes`
          : refusal === 'stale'
            ? 'unmapped already by another thread'
            : 'not a live mapping'
      throw new InvalidUnmapError(`unmap of 0x${addr.toString(16)}: ${why}`)
    }
    if (byObject) target.live = false
    const queue = this.#queue
    if (this.#pool.releasedBlocking) queue.unreserve(this.#pool.releasedSlots)
    queue.drain()
  }

  /** @internal SharedMappingOwner: runs `fn` while `mapping` still holds its slots. */
  whileHeld(mapping: SharedMapping, fn?: () => void): boolean {
    if (fn === undefined) return this.#pool.isLive(mapping.offset, mapping.generation)
    return this.#pool.whileLive(mapping.offset, mapping.generation, fn)
  }

  /** A snapshot of the whole pool (all threads). */
  stats(): SharedStats {
    return statsOf(this.#views, this.#pool)
  }

  /** debugfs: writing 0 restarts every mark from the current use; any other value is refused. */
  resetHiwater(value: number): void {
    if (value !== 0) throw new ArgumentRangeError('resetHiwater', '0 (as debugfs accepts)', value)
    this.#pool.resetHiwater()
  }

  /** Stops this thread's sampler and lets its event loop exit; the pool itself lives on. */
  close(): void {
    if (this.#sampler !== undefined) this.clock.clearTimer(this.#sampler)
    this.#sampler = undefined
    this.#blocking.keepAlive.close()
  }

  [Symbol.dispose](): void {
    this.close()
  }
}

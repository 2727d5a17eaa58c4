import { SLOT_SIZE } from './allocator/layout.js'
import type { Pool } from './allocator/pool.js'
import type { SwiotlbAllocator } from './allocator/swiotlb-allocator.js'
import type { Clock } from './clock/clock.js'
import { ArgumentTypeError, InvalidUnmapError, SwiotlbFullError } from './errors.js'
import type { Growth } from './growth/growth.js'
import { Mapping, type MappingOwner, type UnmapOptions } from './mapping.js'
import type { AllocRequest, RequestSpec } from './request.js'
import type { Hub, SwiotlbEvent } from './stats/events.js'
import type { Counters } from './stats/stats.js'

/**
 * The life of a mapping against the pools: slots found, bytes bounced in, the live table kept
 * (pool → offset → Mapping, found by address in O(log pools)), bytes bounced back and slots freed.
 * It knows nothing of waiting: the Swiotlb facade decides who may map, this does the mapping.
 */
export class MappingTable {
  constructor(
    private readonly owner: MappingOwner,
    private readonly allocator: SwiotlbAllocator,
    private readonly growth: Growth | undefined,
    private readonly events: Hub<SwiotlbEvent>,
    private readonly clock: Clock,
    private readonly counters: Counters,
  ) {}

  /** Finds slots for `req` and maps it; undefined when no pool has room. */
  allocate(req: AllocRequest, blocking: boolean, throttled: boolean, waitedMs: number): Mapping | undefined {
    const allocator = this.allocator
    const slot = allocator.find(
      req.cpu,
      req.nslots,
      req.alignMask,
      req.matchMask,
      req.origAddr,
      req.boundaryMask,
    )
    if (slot < 0) return undefined
    const pool = allocator.foundPool!
    const growth = this.growth
    if (growth !== undefined) {
      if (pool.kind === 'dynamic' && pool.used === req.nslots) growth.poolUsed(pool)
      growth.usageRose(allocator.used, allocator.nslabs)
    }
    return this.#finish(pool, slot, req, blocking, throttled, waitedMs)
  }

  /** The non-blocking decision: a pool with room, else (with growth) a transient pool; undefined when refused. */
  mapNow(spec: RequestSpec): Mapping | undefined {
    const m = this.allocate(spec, false, false, 0)
    if (m !== undefined) return m
    const growth = this.growth
    if (growth === undefined) return undefined
    if (growth.config.atUsage !== undefined) growth.grow('background')
    const pool = growth.transientPool(spec.nslots)
    if (pool === undefined) return undefined
    const slot = this.allocator.findIn(
      pool,
      spec.nslots,
      spec.alignMask,
      spec.matchMask,
      spec.origAddr,
      spec.boundaryMask,
    )
    if (slot < 0) {
      this.allocator.removePool(pool)
      return undefined
    }
    if (this.events.active) {
      this.events.emit({
        type: 'transient',
        at: this.clock.now(),
        bytes: pool.nslabs * SLOT_SIZE,
        addr: pool.start,
        device: spec.device,
      })
    }
    return this.#finish(pool, slot, spec, false, false, 0)
  }

  /** Counts a non-blocking request that found no room (and reports it on events$). */
  countFull(spec: RequestSpec): void {
    this.counters.failures++
    if (this.events.active) {
      const a = this.allocator
      this.events.emit({
        type: 'full',
        at: this.clock.now(),
        size: spec.sizeBytes,
        device: spec.device,
        total: a.nslabs,
        used: a.used,
      })
    }
  }

  /** The kernel's "swiotlb buffer is full" for a request, with the numbers of now. */
  fullError(spec: RequestSpec): SwiotlbFullError {
    return new SwiotlbFullError(spec.sizeBytes, this.allocator.nslabs, this.allocator.used)
  }

  #finish(
    pool: Pool,
    slot: number,
    req: AllocRequest,
    blocking: boolean,
    throttled: boolean,
    waitedMs: number,
  ): Mapping {
    const at = slot * SLOT_SIZE + req.offset
    const { sizeBytes: size, nslots, dir, device, orig } = req
    const m = new Mapping(
      this.owner,
      pool.start + at,
      size,
      nslots,
      dir,
      device,
      waitedMs,
      pool,
      slot,
      at,
      orig,
      blocking,
      throttled,
    )
    // Always copy in, whatever the direction: the device must never see an earlier mapping's bytes.
    // A waiter's buffer may have been detached or shrunk meanwhile: then the slots are zeroed.
    if (orig !== undefined) {
      if (orig.byteLength === size) pool.memory!.set(orig, at)
      else pool.memory!.fill(0, at, at + size)
    }
    pool.live.add(m)
    this.counters.live++
    if (this.events.active) {
      this.events.emit({
        type: 'map',
        at: this.clock.now(),
        addr: m.addr,
        size,
        slots: nslots,
        device,
        blocking,
        dir,
      })
    }
    return m
  }

  /** The live mapping `target` names (a Mapping of this pool, or its address); throws otherwise. */
  resolveLive(target: Mapping | number): Mapping {
    if (target instanceof Mapping) {
      if (target.owner !== this.owner || target.pool.live.get(target.offset) !== target) {
        throw new InvalidUnmapError(
          `unmap of 0x${target.addr.toString(16)}: not a live mapping of this pool (double unmap?)`,
        )
      }
      return target
    }
    if (typeof target !== 'number' || !Number.isSafeInteger(target)) {
      throw new ArgumentTypeError('target', 'a Mapping or a bus address', target)
    }
    const pool = this.allocator.poolOf(target)
    const m = pool?.live.get(target - pool.start) as Mapping | undefined
    if (m === undefined)
      throw new InvalidUnmapError(`unmap of 0x${target.toString(16)}: no live mapping at that address`)
    return m
  }

  /**
   * Checks the unmap options and copies back for 'from-device' and 'bidirectional', then frees the
   * slots. Every check comes before any change: a throw leaves the mapping live.
   */
  unmap(m: Mapping, options: UnmapOptions | undefined): void {
    let skipCpuSync = false
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null)
        throw new ArgumentTypeError('options', 'an object', options)
      if (options.size !== undefined && options.size !== m.size) {
        throw new InvalidUnmapError(
          `unmap of 0x${m.addr.toString(16)} with size ${options.size}: mapped size is ${m.size}`,
        )
      }
      skipCpuSync = options.skipCpuSync === true
    }
    const orig = m.orig
    if (orig !== undefined && !skipCpuSync && m.dir !== 'to-device') {
      if (orig.byteLength !== m.size) {
        throw new InvalidUnmapError(
          `unmap of 0x${m.addr.toString(16)}: the caller's buffer was detached; pass { skipCpuSync: true } to unmap without copy-back`,
        )
      }
      const at = m.offset
      orig.set(m.pool.memory!.subarray(at, at + m.size))
    }
    this.#free(m)
  }

  #free(m: Mapping): void {
    const pool = m.pool
    const allocator = this.allocator
    m.live = false
    pool.live.delete(m)
    allocator.release(pool, m.slot, m.slots)
    this.counters.live--
    if (pool.kind !== 'default' && pool.used === 0) {
      if (pool.kind === 'transient') allocator.removePool(pool)
      else this.growth?.poolEmptied(pool)
    }
    if (this.events.active) {
      this.events.emit({
        type: 'unmap',
        at: this.clock.now(),
        addr: m.addr,
        size: m.size,
        slots: m.slots,
        device: m.device,
      })
    }
  }
}

import { SLOT_SIZE } from '../allocator/layout.js'
import type { Pool } from '../allocator/pool.js'
import { ArgumentTypeError, InvalidUnmapError, SwiotlbFullError } from '../errors.js'
import type { SwiotlbContext } from './context.js'
import type { MapRequest } from './map-request.js'
import { Mapping, type UnmapOptions } from './mapping.js'
import type { RequestSpec } from './request.js'
import { byteLengthOf, copyInto } from './view.js'

/**
 * The life of a mapping against the pools: slots found, bytes bounced in, the mapping entered in its
 * pool's LiveTable (found again by address in O(log pools)), bytes bounced back and slots freed.
 * It knows nothing of waiting: the facade and the wait path decide who may map, this does the mapping.
 */
export class MapPath {
  readonly #ctx: SwiotlbContext

  constructor(ctx: SwiotlbContext) {
    this.#ctx = ctx
  }

  /** Finds slots for `req` and maps it; undefined when no pool has room. */
  allocate(req: MapRequest): Mapping | undefined {
    const { allocator, growth } = this.#ctx
    const shape = req.shape
    const found = allocator.find(
      shape.cpu,
      req.nslots,
      shape.alignMask,
      shape.matchMask,
      shape.origAddr,
      shape.boundaryMask,
    )
    if (found === undefined) {
      // swiotlb_find_slots schedules the background worker on every failed search, whoever searched.
      growth?.searchFailed(req.blocking)
      return undefined
    }
    const { pool, slot } = found
    if (growth !== undefined) {
      if (pool.kind === 'dynamic' && pool.used === req.nslots) growth.poolUsed(pool)
      growth.usageRose(allocator.used, allocator.nslabs)
    }
    return this.#finish(pool, slot, req)
  }

  /** The non-blocking decision: a pool with room, else (with growth) a transient pool; undefined when refused. */
  mapNow(spec: RequestSpec): Mapping | undefined {
    const req = spec.request(false)
    const m = this.allocate(req)
    if (m !== undefined) return m
    const { allocator, growth, events } = this.#ctx
    if (growth === undefined) return undefined
    const pool = growth.transientPool(spec.nslots)
    if (pool === undefined) return undefined
    const found = allocator.findIn(
      pool,
      spec.nslots,
      spec.alignMask,
      spec.matchMask,
      spec.origAddr,
      spec.boundaryMask,
    )
    if (found === undefined) {
      // swiotlb_dyn_free: the transient pool goes, and its memory back to the atomic pools.
      allocator.removePool(pool)
      growth.transientFreed(pool)
      return undefined
    }
    if (events.active) {
      events.emit({
        type: 'transient',
        at: this.#ctx.clock.now(),
        bytes: pool.nslabs * SLOT_SIZE,
        addr: pool.start,
        device: spec.device,
      })
    }
    return this.#finish(pool, found.slot, req)
  }

  /** Counts a non-blocking request that found no room (and reports it on events$). */
  countFull(spec: RequestSpec): void {
    const { allocator, counters, events } = this.#ctx
    counters.failures++
    if (events.active) {
      events.emit({
        type: 'full',
        at: this.#ctx.clock.now(),
        size: spec.sizeBytes,
        device: spec.device,
        total: allocator.nslabs,
        used: allocator.memUsed(),
      })
    }
  }

  /**
   * The kernel's "swiotlb buffer is full" for a request, with the numbers of now (swiotlb_tbl_map_single):
   * total is mem->nslabs (default and dynamic pools), used is mem_used (transient pools included).
   */
  fullError(spec: RequestSpec): SwiotlbFullError {
    const { allocator } = this.#ctx
    return new SwiotlbFullError(spec.sizeBytes, allocator.nslabs, allocator.memUsed())
  }

  /** Makes the Mapping of `req` at `slot` of `pool`, bounces the bytes in, enters it in the pool. */
  #finish(pool: Pool, slot: number, req: MapRequest): Mapping {
    const ctx = this.#ctx
    const at = slot * SLOT_SIZE + req.shape.offset
    const size = req.sizeBytes
    const orig = req.orig
    const m = new Mapping(req, pool, at)
    // Always copy in, whatever the direction: the device must never see an earlier mapping's bytes.
    // A waiter's buffer may have been detached or shrunk meanwhile: then the slots are zeroed.
    if (orig !== undefined) {
      if (byteLengthOf(orig) === size) pool.memory!.set(orig, at)
      else pool.memory!.fill(0, at, at + size)
    }
    pool.live.add(m)
    ctx.counters.live++
    if (ctx.events.active) {
      ctx.events.emit({
        type: 'map',
        at: ctx.clock.now(),
        addr: m.addr,
        size,
        slots: req.nslots,
        device: req.device,
        blocking: req.blocking,
        dir: req.shape.dir,
      })
    }
    return m
  }

  /** The live mapping `target` names (a Mapping of this pool, or its address); throws otherwise. */
  resolveLive(target: Mapping | number): Mapping {
    if (target instanceof Mapping) {
      // A Mapping this pool never made (Object.create(Mapping.prototype), new Mapping()) has no owner,
      // pool or address of ours: it is found in no pool's live map, and named without reading it further.
      let live = false
      try {
        live = target.owner === this.#ctx.owner && target.pool.live.get(target.offset) === target
      } catch {
        live = false
      }
      if (!live) {
        let addr: unknown
        try {
          addr = target.addr
        } catch {
          addr = undefined
        }
        const where = typeof addr === 'number' ? `0x${addr.toString(16)}` : 'a Mapping this pool never made'
        throw new InvalidUnmapError(`unmap of ${where}: not a live mapping of this pool (double unmap?)`)
      }
      return target
    }
    if (typeof target !== 'number' || !Number.isSafeInteger(target)) {
      throw new ArgumentTypeError('target', 'a Mapping or a bus address', target)
    }
    const pool = this.#ctx.allocator.poolOf(target)
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
      if (byteLengthOf(orig) !== m.size) {
        throw new InvalidUnmapError(
          `unmap of 0x${m.addr.toString(16)}: the caller's buffer was detached; pass { skipCpuSync: true } to unmap without copy-back`,
        )
      }
      const at = m.offset
      copyInto(orig, m.pool.memory!.subarray(at, at + m.size))
    }
    this.#free(m)
  }

  #free(m: Mapping): void {
    const { allocator, counters, events, growth } = this.#ctx
    const pool = m.pool
    m.live = false
    pool.live.delete(m)
    allocator.release(pool, m.slot, m.slots)
    counters.live--
    if (pool.kind !== 'default' && pool.used === 0) {
      if (pool.kind === 'transient') {
        allocator.removePool(pool)
        growth?.transientFreed(pool)
        growth?.roomFreed()
      } else growth?.poolEmptied(pool)
    }
    if (events.active) {
      events.emit({
        type: 'unmap',
        at: this.#ctx.clock.now(),
        addr: m.addr,
        size: m.size,
        slots: m.slots,
        device: m.device,
      })
    }
  }
}

import { SLOT_SIZE } from './layout.js'
import { Pool, type PoolKind } from './pool.js'
import { PoolIndex } from './pool-index.js'

/** Bus address of the default pool; dynamic pools follow it, each on a fresh, aligned range. */
const FIRST_ADDRESS = 2 ** 32
/** Alignment of every pool's start, and the gap left between pools. */
const POOL_ALIGN = 2 * 1024 * 1024

/** Where `find` placed a request: its pool and first slot. */
export interface Placement {
  pool: Pool
  slot: number
}

export interface AllocatorConfig {
  nslabs: number
  nareas: number
  backing: boolean
  now: number
  /** Set as every pool's `owner` (the facade whose mappings the pools hold). */
  owner?: unknown
}

/**
 * io_tlb_mem: the pools and their accounting. Searches start in the caller's area and wrap through all
 * areas of all pools (default pool first, then dynamic pools oldest first, which lets newer pools drain
 * and be shrunk). Transient pools hold exactly one mapping and are never searched.
 *
 * Address → pool lookup is a binary search over pools sorted by address: O(log pools).
 *
 * With more than one pool, a max-tree of upper bounds on the pools' longest free runs (PoolIndex) lets
 * the search go straight to the next pool that may hold the request. A pool it passes over has no free
 * run long enough in any area, so the kernel's search would find nothing there either: the slot found
 * is the same.
 */
export class SwiotlbAllocator {
  /** Default and dynamic pools, in search order. */
  readonly pools: Pool[] = []
  /** Every pool, transient included, sorted by start address. */
  readonly #byAddress: Pool[] = []
  /** The pool poolOf found last: unmaps come in runs from one pool, as a TLB's lookups do. */
  #lastFound: Pool | undefined = undefined
  readonly defaultPool: Pool
  readonly nareas: number
  readonly backing: boolean
  #nextAddress = FIRST_ADDRESS
  /** Slots of default and dynamic pools. */
  nslabs = 0
  /** Slots in use in default and dynamic pools. */
  used = 0
  /** Highest `used` ever seen (exact). */
  hiwater = 0
  /** Slots of live transient pools. */
  transientNslabs = 0
  /** What `find` returns, refilled by every call: no object is made per allocation. */
  readonly #placement: Placement
  /** Run bounds of `pools`, by position; only while there is more than one. */
  #index: PoolIndex | undefined = undefined

  /** Every pool's `owner`. */
  readonly owner: unknown

  constructor(config: AllocatorConfig) {
    this.nareas = config.nareas
    this.backing = config.backing
    this.owner = config.owner
    this.defaultPool = this.addPool('default', config.nslabs, config.nareas, config.now)
    this.#placement = { pool: this.defaultPool, slot: 0 }
  }

  /** Adds a pool of `nslabs` slots on a fresh address range. */
  addPool(kind: PoolKind, nslabs: number, nareas: number, now: number): Pool {
    const start = this.#nextAddress
    this.#nextAddress = start + Math.ceil((nslabs * SLOT_SIZE) / POOL_ALIGN) * POOL_ALIGN + POOL_ALIGN
    const memory = this.backing ? new Uint8Array(nslabs * SLOT_SIZE) : undefined
    const pool = new Pool(kind, start, nslabs, nareas, memory, now)
    pool.owner = this.owner
    this.#byAddress.push(pool) // addresses only grow, so the array stays sorted
    if (kind === 'transient') this.transientNslabs += nslabs
    else {
      this.pools.push(pool)
      this.nslabs += nslabs
      this.#reindex()
    }
    return pool
  }

  /** Removes an empty pool (shrink, or a transient pool at its unmap). Never the default pool. */
  removePool(pool: Pool): void {
    if (pool === this.defaultPool) throw new Error('the default pool is never removed')
    if (pool.used !== 0) throw new Error(`pool at ${pool.start} still has ${pool.used} slots in use`)
    if (this.#lastFound === pool) this.#lastFound = undefined
    const at = this.#indexOf(pool.start)
    if (at >= 0) this.#byAddress.splice(at, 1)
    if (pool.kind === 'transient') this.transientNslabs -= pool.nslabs
    else {
      this.pools.splice(this.pools.indexOf(pool), 1)
      this.nslabs -= pool.nslabs
      this.#reindex()
    }
  }

  /**
   * Moves `pool` to the head of the search order: mainline's add_mem_pool puts a new pool at the head
   * of the list swiotlb_find_slots walks (growth with searchOrder 'newest-first').
   */
  searchFirst(pool: Pool): void {
    const at = this.pools.indexOf(pool)
    if (at <= 0) return
    this.pools.splice(at, 1)
    this.pools.unshift(pool)
    this.#reindex()
  }

  /** Numbers the searched pools by position and rebuilds the index of their run bounds. */
  #reindex(): void {
    const pools = this.pools
    for (let p = 0; p < pools.length; p++) pools[p]!.position = p
    this.#index = pools.length > 1 ? new PoolIndex(pools.map((pool) => pool.runBound())) : undefined
  }

  /** The run bound the index holds for the pool at `position` (tests), or undefined with one pool. */
  indexedBound(position: number): number | undefined {
    return this.#index?.get(position)
  }

  /**
   * swiotlb_find_slots: `nslots` slots for a caller on `cpu`. Returns where they are (the pool and the
   * first slot), or undefined when no pool has room. The answer is one record this allocator refills
   * on every call: read it before the next `find`. `origAddr` NO_ORIG_ADDR: no original address;
   * `boundaryMask` 0: no DMA segment boundary.
   */
  find(
    cpu: number,
    nslots: number,
    alignMask: number,
    matchMask: number,
    origAddr: number,
    boundaryMask: number,
  ): Placement | undefined {
    const index = this.#index
    if (index === undefined) {
      // The common case, kept free of the outer loop: one pool, wrap through its areas.
      const pool = this.defaultPool
      const nareas = pool.areas.length
      const first = cpu & (nareas - 1)
      let a = first
      do {
        const slot = pool.search(a, nslots, alignMask, matchMask, origAddr, boundaryMask)
        if (slot >= 0) return this.#found(pool, nslots, slot)
        a = a + 1 === nareas ? 0 : a + 1
      } while (a !== first)
      return undefined
    }
    // swiotlb_search_area for each area offset, over the pools that may hold the request.
    const pools = this.pools
    for (let offset = 0; offset < this.nareas; offset++) {
      for (let p = index.next(0, nslots); p >= 0; p = index.next(p + 1, nslots)) {
        const pool = pools[p]!
        const nareas = pool.areas.length
        if (offset >= nareas) continue
        const slot = pool.search(
          (cpu + offset) & (nareas - 1),
          nslots,
          alignMask,
          matchMask,
          origAddr,
          boundaryMask,
        )
        if (slot >= 0) return this.#found(pool, nslots, slot)
        // Nothing here: the pool's bound, lowered by the search, is what the index may now hold.
        index.set(p, pool.runBound())
      }
    }
    return undefined
  }

  #found(pool: Pool, nslots: number, slot: number): Placement {
    if (pool.kind !== 'transient') {
      this.used += nslots
      if (this.used > this.hiwater) this.hiwater = this.used
    }
    const placement = this.#placement
    placement.pool = pool
    placement.slot = slot
    return placement
  }

  /** Searches one pool only (a transient pool right after it is made); answers as `find` does. */
  findIn(
    pool: Pool,
    nslots: number,
    alignMask: number,
    matchMask: number,
    origAddr: number,
    boundaryMask: number,
  ): Placement | undefined {
    const slot = pool.search(0, nslots, alignMask, matchMask, origAddr, boundaryMask)
    return slot >= 0 ? this.#found(pool, nslots, slot) : undefined
  }

  release(pool: Pool, slot: number, nslots: number): void {
    pool.release(slot, nslots)
    if (pool.kind !== 'transient') {
      this.used -= nslots
      this.#index?.raise(pool.position, pool.runBound())
    }
  }

  /**
   * mem_used of a kernel with CONFIG_DEBUG_FS, what "swiotlb buffer is full" prints: the total_used
   * atomic, which inc_used_and_hiwater raises for every search that succeeds, a transient pool's
   * included, and dec_used lowers at every release (swiotlb_del_transient for a transient pool).
   */
  memUsed(): number {
    // A live transient pool is exactly its one mapping's slots (it goes when that search fails).
    return this.used + this.transientNslabs
  }

  /** The pool holding bus address `addr`, or undefined: the last one found, else O(log pools). */
  poolOf(addr: number): Pool | undefined {
    const last = this.#lastFound
    if (last !== undefined && addr >= last.start && addr < last.end) return last
    const at = this.#indexOf(addr)
    if (at < 0) return undefined
    const pool = this.#byAddress[at]!
    this.#lastFound = pool
    return pool
  }

  /** Index in #byAddress of the pool holding `addr`, or -1. */
  #indexOf(addr: number): number {
    const pools = this.#byAddress
    let lo = 0
    let hi = pools.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const pool = pools[mid]!
      if (addr < pool.start) hi = mid - 1
      else if (addr >= pool.end) lo = mid + 1
      else return mid
    }
    return -1
  }

  /** Sum of the per-area high-water marks over all pools (what summing per-area marks reports). */
  perAreaHiwaterSum(): number {
    let sum = 0
    for (const pool of this.pools) for (const area of pool.areas) sum += area.hiwater
    return sum
  }

  resetHiwater(): void {
    this.hiwater = this.used
    for (const pool of this.pools) for (const area of pool.areas) area.hiwater = area.used
  }

  get allPools(): readonly Pool[] {
    return this.#byAddress
  }
}

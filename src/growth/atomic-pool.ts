import { parseBytes } from '../allocator/size.js'
import type { Clock, TimerHandle } from '../clock/clock.js'
import { type GrowthCost, growCostMs } from './config.js'

/** The kernel's atomic DMA pools (kernel/dma/pool.c), as far as transient swiotlb pools use them. */
export interface AtomicPoolConfig {
  /** Bytes of each pool at boot, and the free space below which the worker expands it. */
  bytes: number
  /** Pools tried in turn: kernel, DMA32 and DMA on x86-64 (dma_guess_pool). */
  pools: number
  /** atomic_pool_work_fn: a pool left with less than `bytes` free is expanded in the background. */
  expand: boolean
}

const KIB = 1024
/** gen_pool allocations are whole pages. */
const PAGE_BYTES = 4 * KIB
/** MAX_PAGE_ORDER (10) pages of 4 KiB: the most one expansion adds, and the largest default pool. */
const MAX_ORDER_BYTES = 4 * 1024 * KIB

/**
 * What atomic_pool_expand allocates for `bytes`: `order = min(get_order(bytes), MAX_PAGE_ORDER)`, so
 * 2^order pages, a power of two of pages, at most 4 MiB (kernel/dma/pool.c).
 */
export function atomicChunkBytes(bytes: number): number {
  let chunk = PAGE_BYTES
  while (chunk < bytes && chunk < MAX_ORDER_BYTES) chunk *= 2
  return chunk
}

/**
 * dma_atomic_pool_init's default size: 128 KiB per GiB of memory, at least 128 KiB, at most
 * MAX_PAGE_ORDER pages (4 MiB). The kernel's `coherent_pool=` overrides it. This is atomic_pool_size,
 * the threshold of the expansion worker; the pool it boots is atomicChunkBytes of it. `memoryBytes`
 * is read as parseBytes reads a size ('16G' too); a bad one throws ArgumentTypeError/ArgumentRangeError.
 */
export function atomicPoolBytesFor(memoryBytes: number | string): number {
  const memory = parseBytes('memoryBytes', memoryBytes)
  const pages = Math.floor(memory / ((1024 * 1024 * KIB) / (128 * KIB)) / PAGE_BYTES)
  return Math.max(Math.min(pages * PAGE_BYTES, MAX_ORDER_BYTES), 128 * KIB)
}

/**
 * The atomic pools a transient swiotlb pool is carved from in a CoCo VM: swiotlb_alloc_tlb cannot
 * decrypt memory without blocking, so a GFP_NOWAIT transient pool takes already-decrypted memory from
 * here, or fails. Each pool boots as atomic_pool_expand allocates (atomicChunkBytes of `bytes`: whole
 * pages, a power of two of them). Each allocation is rounded up to whole pages and taken from the
 * first pool with room (fragmentation is not modelled). After an allocation that leaves a pool with
 * less than `bytes` (atomic_pool_size) free, the background worker expands every such pool by
 * atomicChunkBytes of its current size (at most 4 MiB), which takes the decrypt cost on the clock
 * (atomic_pool_resize). One worker at a time.
 */
export class AtomicPools {
  readonly #size: number[]
  readonly #used: number[]
  readonly #taken = new Map<object, { pool: number; bytes: number }>()
  #timer: TimerHandle | undefined = undefined
  /** close(): the worker is not started again. */
  #closed = false
  expansions = 0
  refusals = 0

  constructor(
    readonly config: AtomicPoolConfig,
    private readonly clock: Clock,
    private readonly cost: GrowthCost,
  ) {
    this.#size = Array.from({ length: config.pools }, () => atomicChunkBytes(config.bytes))
    this.#used = Array.from({ length: config.pools }, () => 0)
  }

  /** Takes memory for `owner` (a transient pool) of `bytes`; false, changing nothing, when no pool has room. */
  take(owner: object, bytes: number): boolean {
    const need = Math.ceil(bytes / PAGE_BYTES) * PAGE_BYTES
    const pool = this.#size.findIndex((size, i) => size - this.#used[i]! >= need)
    if (pool < 0) {
      this.refusals++
      return false
    }
    this.#used[pool]! += need
    this.#taken.set(owner, { pool, bytes: need })
    if (this.config.expand && this.#size[pool]! - this.#used[pool]! < this.config.bytes) this.#expand()
    return true
  }

  /** Gives `owner`'s memory back (its transient pool was freed). */
  give(owner: object): void {
    const t = this.#taken.get(owner)
    if (t === undefined) return
    this.#taken.delete(owner)
    this.#used[t.pool]! -= t.bytes
  }

  /** Bytes of all atomic pools, and in use by transient pools. */
  get bytes(): { size: number; used: number } {
    return { size: sum(this.#size), used: sum(this.#used) }
  }

  /** Clears the worker's timer (an expansion under way is dropped) and starts it no more. */
  dispose(): void {
    this.#closed = true
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer)
    this.#timer = undefined
  }

  #expand(): void {
    if (this.#timer !== undefined || this.#closed) return
    const low = this.#size.map((size, i) => (size - this.#used[i]! < this.config.bytes ? size : 0))
    const adds = low.map((size) => (size === 0 ? 0 : atomicChunkBytes(size)))
    const total = sum(adds)
    if (total === 0) return
    this.#timer = this.clock.setTimer(growCostMs(this.cost, total), () => {
      this.#timer = undefined
      for (let i = 0; i < adds.length; i++) this.#size[i]! += adds[i]!
      this.expansions++
      // Allocations made meanwhile scheduled the worker again: it runs once more if still needed.
      this.#expand()
    })
  }
}

function sum(values: readonly number[]): number {
  let s = 0
  for (const v of values) s += v
  return s
}

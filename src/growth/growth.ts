import { Mutex } from 'async-mutex'
import { SEGMENT_SLOTS, SLOT_SIZE } from '../allocator/layout.js'
import type { Pool } from '../allocator/pool.js'
import type { SwiotlbAllocator } from '../allocator/swiotlb-allocator.js'
import type { Clock, TimerHandle } from '../clock/clock.js'
import { AtomicPools } from './atomic-pool.js'
import { type GrowthConfig, growCostMs } from './config.js'
import { Shrinker } from './shrink.js'
import { makeTransientPool } from './transient.js'

/** What growth needs from the pool around it. */
export interface GrowthHost {
  readonly clock: Clock
  readonly allocator: SwiotlbAllocator
  /** The longest-waiting blocking request, or undefined when nobody waits. */
  oldestWaiter(): { readonly enqueuedAt: number } | undefined
  onGrowStart(bytes: number, reason: 'wait' | 'background'): void
  onGrown(pool: Pool): void
  onGrowFailed(bytes: number): void
  onShrink(pool: Pool): void
  /**
   * Whether `pool` may go now. Never while requests wait (a shrink would undo the grow they wait for,
   * and grow and shrink could take turns for ever) nor when blocking usage would pass the smaller budget.
   */
  mayShrink(pool: Pool): boolean
}

/**
 * SWIOTLB_DYNAMIC with a limit and a shrinker.
 *
 * - Fallback grow (Robin Murphy): when the oldest waiter has waited `waitMs`, grow by `chunkBytes`.
 * - Background grow (Catalin Marinas): when usage crosses `atUsage` of capacity; or, as mainline's
 *   worker, when a search finds no slots (`onFailure`), once more if one fails while it runs.
 * - Transient pools: a non-blocking request that found no room gets a pool of exactly its size, from
 *   the atomic pools when `atomic` is set (kernel/dma/pool.c), which refuse when spent.
 * - A new pool is searched last (`searchOrder` 'oldest-first') or first ('newest-first', mainline).
 * - Every grow stays within `maxBytes`, takes `cost` on the clock, and may be refused by `allocate`.
 * - One grow at a time, under an async-mutex Mutex; a waiter whose grow was refused keeps waiting for a
 *   release or its own timeout, and the next head re-arms the wait (a head whose wait ran out during
 *   a grow that was not its own gets its grow when that one is refused). A grow refused for lack of room
 *   under maxBytes is retried when room frees (roomFreed), not only when a new head arrives.
 */
export class Growth {
  readonly #mutex = new Mutex()
  readonly #shrinker: Shrinker | undefined
  #waitTimer: TimerHandle | undefined = undefined
  /** The waiter the wait timer is armed for (one grow attempt per head). */
  #armedFor: object | undefined = undefined
  #pendingBytes = 0
  /** A wait grow was refused for lack of room under maxBytes: retried when room frees (roomFreed). */
  #roomWanted = false
  /** A search failed while the worker ran: it runs once more (schedule_work re-queues it). */
  #again = false
  /** close() was called: no fallback grow, wait timer or shrink timer from now on. */
  #closed = false
  /** The atomic pools transient pools come from, when configured. */
  readonly atomic: AtomicPools | undefined
  grows = 0
  failures = 0
  bytesGrown = 0
  shrinks = 0
  transients = 0

  constructor(
    readonly config: GrowthConfig,
    private readonly host: GrowthHost,
  ) {
    if (config.atomic !== undefined) this.atomic = new AtomicPools(config.atomic, host.clock, config.cost)
    if (config.shrinkAfterMs !== undefined) {
      this.#shrinker = new Shrinker(host.clock, config.shrinkAfterMs, (pool) => this.#shrink(pool))
    }
  }

  /** Bytes of all pools, transient ones and a grow under way included. */
  totalBytes(): number {
    const a = this.host.allocator
    return (a.nslabs + a.transientNslabs) * SLOT_SIZE + this.#pendingBytes
  }

  /**
   * Capacity in slots the pool may reach: the default pool and as many whole chunks as fit under
   * `maxBytes` (every grow adds exactly `chunkBytes`), not `maxBytes` itself.
   */
  maxNslabs(): number {
    // Without a trigger (waitMs or background), nothing ever grows the pool for a blocking waiter.
    const c = this.config
    const a = this.host.allocator
    if (c.waitMs === undefined && c.atUsage === undefined && !c.onFailure) return a.nslabs
    if (!Number.isFinite(c.maxBytes)) return Number.MAX_SAFE_INTEGER
    const base = a.defaultPool.nslabs
    const chunk = c.chunkBytes / SLOT_SIZE
    const chunks = Math.floor((Math.floor(c.maxBytes / SLOT_SIZE) - base) / chunk)
    return Math.max(base + chunks * chunk, a.nslabs)
  }

  /**
   * Whether a grow may still add a pool for a blocking waiter: one is under way, or the fallback grow
   * (`waitMs`) is set and `maxBytes` leaves room for a chunk. The background triggers do not count:
   * with nothing mapped, usage never crosses `atUsage`, and a blocking search does not wake the worker.
   */
  mayAddRoom(): boolean {
    if (this.growing) return true
    const c = this.config
    return !this.#closed && c.waitMs !== undefined && this.totalBytes() + c.chunkBytes <= c.maxBytes
  }

  get growing(): boolean {
    return this.#mutex.isLocked()
  }

  /** The wait queue changed: arm the fallback grow for the oldest waiter. */
  queueChanged(): void {
    if (this.config.waitMs === undefined || this.#closed) return
    const head = this.host.oldestWaiter()
    if (head === this.#armedFor) return
    this.#clearWaitTimer()
    this.#armedFor = head
    if (head === undefined) return
    const due = head.enqueuedAt + this.config.waitMs - this.host.clock.now()
    this.#waitTimer = this.host.clock.setTimer(Math.max(0, due), () => {
      this.#waitTimer = undefined
      this.grow('wait')
    })
  }

  /** Usage changed upwards: the background worker's trigger. */
  usageRose(used: number, nslabs: number): void {
    const at = this.config.atUsage
    if (at !== undefined && used >= at * nslabs && !this.growing) this.grow('background')
  }

  /** A search found no slots: the background worker's trigger (atUsage or onFailure). */
  searchFailed(blocking: boolean): void {
    // atUsage's own trigger is a non-blocking request that finds no room (api.md); onFailure's is any.
    if (blocking ? !this.config.onFailure : this.config.atUsage === undefined && !this.config.onFailure)
      return
    if (this.growing) {
      if (this.config.onFailure) this.#again = true
      return
    }
    this.grow('background')
  }

  /** Starts one grow unless one is under way or it would pass the limit. */
  grow(reason: 'wait' | 'background'): void {
    const bytes = this.config.chunkBytes
    if (this.growing) return
    if (this.totalBytes() + bytes > this.config.maxBytes) {
      // The head parks on a condition (room under maxBytes) that only a freed pool makes true.
      if (reason === 'wait') this.#roomWanted = true
      return
    }
    if (reason === 'wait') this.#roomWanted = false
    // The head a wait grow is for: if it is refused, that head gets no other.
    const forHead = reason === 'wait' ? this.host.oldestWaiter() : undefined
    // Counted at once: a transient pool made before the grow runs must leave room for it.
    this.#pendingBytes = bytes
    this.#mutex
      .runExclusive(() => this.#grow(bytes, reason))
      .then((grown) => {
        // After the lock is released: a refused grow is not retried for the same head.
        const again = this.#again
        this.#again = false
        if (grown) this.#afterGrow(again)
        else this.#afterRefused(forHead)
      })
      .catch(() => {})
  }

  async #grow(bytes: number, reason: 'wait' | 'background'): Promise<boolean> {
    const { clock, allocator } = this.host
    this.host.onGrowStart(bytes, reason)
    const costMs = growCostMs(this.config.cost, bytes)
    if (costMs > 0) await new Promise<void>((resolve) => clock.setTimer(costMs, resolve))
    let ok = true
    try {
      if (this.config.allocate !== undefined) ok = (await this.config.allocate(bytes)) === true
    } catch {
      ok = false
    }
    this.#pendingBytes = 0
    if (!ok) {
      this.failures++
      this.host.onGrowFailed(bytes)
      return false
    }
    const nslabs = bytes / SLOT_SIZE
    const nareas = areasFor(nslabs, allocator.nareas)
    const pool = allocator.addPool('dynamic', nslabs, nareas, clock.now())
    // list_add_rcu at the head of mem->pools: the next search tries the new pool first.
    if (this.config.searchOrder === 'newest-first') allocator.searchFirst(pool)
    this.grows++
    this.bytesGrown += bytes
    this.#shrinker?.emptied(pool)
    this.host.onGrown(pool)
    return true
  }

  /**
   * After a grow: grow again if a search failed meanwhile (`again`), if the oldest waiter has still
   * waited past `waitMs`, or if usage is still high.
   */
  #afterGrow(again: boolean): void {
    if (again) {
      this.grow('background')
      return
    }
    const waitMs = this.config.waitMs
    const head = this.host.oldestWaiter()
    if (
      !this.#closed &&
      waitMs !== undefined &&
      head !== undefined &&
      this.host.clock.now() - head.enqueuedAt >= waitMs
    ) {
      this.#clearWaitTimer()
      this.#armedFor = head
      this.grow('wait')
      return
    }
    this.usageRose(this.host.allocator.used, this.host.allocator.nslabs)
    this.queueChanged()
  }

  /**
   * After a refused grow: a head that has waited `waitMs` and whose own grow this was not (it became
   * head, or its wait ran out, while the grow was under way: its timer found a grow running) gets its
   * grow now. The head the refused grow was for keeps waiting for a release or its timeout.
   */
  #afterRefused(forHead: object | undefined): void {
    const waitMs = this.config.waitMs
    const head = this.host.oldestWaiter()
    if (this.#closed || waitMs === undefined || head === undefined || head === forHead) return
    if (head !== this.#armedFor || this.#waitTimer !== undefined) return
    if (this.host.clock.now() - head.enqueuedAt < waitMs) return
    this.grow('wait')
  }

  /**
   * Bytes under maxBytes were given back (a transient pool went, a dynamic pool shrank): a head whose
   * grow was refused for lack of room, and that has waited `waitMs`, gets its grow now (DESIGN §5).
   */
  roomFreed(): void {
    if (!this.#roomWanted || this.#closed) return
    const waitMs = this.config.waitMs
    const head = this.host.oldestWaiter()
    if (waitMs === undefined || head === undefined) {
      this.#roomWanted = false
      return
    }
    if (this.host.clock.now() - head.enqueuedAt >= waitMs) this.grow('wait')
  }

  /** A transient pool for a non-blocking request of `nslots`, or undefined. */
  transientPool(nslots: number): Pool | undefined {
    if (!this.config.transient || this.totalBytes() + nslots * SLOT_SIZE > this.config.maxBytes)
      return undefined
    const pool = makeTransientPool(this.host.allocator, nslots, this.host.clock.now(), this.config.allocate)
    if (pool === undefined) return undefined
    if (this.atomic !== undefined && !this.atomic.take(pool, nslots * SLOT_SIZE)) {
      this.host.allocator.removePool(pool)
      return undefined
    }
    this.transients++
    return pool
  }

  /** A transient pool was freed at its unmap: its atomic memory goes back. */
  transientFreed(pool: Pool): void {
    this.atomic?.give(pool)
  }

  /** A dynamic pool's usage went from 0 to more. */
  poolUsed(pool: Pool): void {
    this.#shrinker?.used(pool)
  }

  /** A waiter left or a mapping went: empty pools kept from shrinking get another chance. */
  retryShrinks(): void {
    this.#shrinker?.retry()
  }

  /** A dynamic pool became empty. */
  poolEmptied(pool: Pool): void {
    this.#shrinker?.emptied(pool)
  }

  #shrink(pool: Pool): boolean {
    if (!this.host.mayShrink(pool)) return false
    this.host.allocator.removePool(pool)
    this.shrinks++
    this.host.onShrink(pool)
    this.roomFreed()
    return true
  }

  #clearWaitTimer(): void {
    if (this.#waitTimer !== undefined) this.host.clock.clearTimer(this.#waitTimer)
    this.#waitTimer = undefined
  }

  /**
   * close(): clears every timer this growth holds (the wait timer, shrink timers, the atomic pools'
   * expansion) and arms none again: no fallback grow or shrink from now on, so that no timer keeps the
   * process alive whatever the pool does next. A grow under way finishes; background grows and
   * transient pools go on (they hold no timer but a grow's cost).
   */
  dispose(): void {
    this.#closed = true
    this.#clearWaitTimer()
    this.#armedFor = undefined
    this.#shrinker?.dispose()
    this.atomic?.dispose()
  }
}

/**
 * Areas of a dynamic pool: min(areas, slots / 128) like the kernel's, lowered to a power of two that
 * splits the pool into whole segments per area.
 */
export function areasFor(nslabs: number, areas: number): number {
  const segments = Math.floor(nslabs / SEGMENT_SLOTS)
  let n = 2 ** Math.floor(Math.log2(Math.max(1, Math.min(areas, segments))))
  while (n > 1 && segments % n !== 0) n /= 2
  return n
}

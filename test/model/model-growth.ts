import { type ModelPool, SEGMENT, SLOT } from './model-pools.js'
import type { ModelTimer, ModelTimers } from './model-timers.js'
import type { Waiting } from './model-types.js'

export interface GrowthConfig {
  chunkSlots: number
  maxBytes: number
  waitMs: number | undefined
  /** Background grow when usage reaches this fraction of capacity. */
  atUsage: number | undefined
  costMs: number
  shrinkAfterMs: number | undefined
  transient: boolean
}

/** What growth needs from the model around it. */
export interface GrowthHost {
  readonly timers: ModelTimers
  readonly nareas: number
  /** Slots of default, dynamic and transient pools. */
  totalSlots(): number
  oldest(): Waiting | undefined
  /** Fault injection, shared with the real pool's `allocate` hook. */
  refused(): boolean
  addDynamic(nslabs: number, nareas: number): ModelPool
  removeDynamic(pool: ModelPool): void
  /** No shrink while requests wait, nor past the smaller budget: the pool is offered again later. */
  mayShrink(pool: ModelPool): boolean
  /** Admit waiters after a grow and re-arm the wait. */
  grown(): void
  log(entry: string): void
  /** Runs `fn` once the current step is over (the real grow runs in later microtasks). */
  defer(fn: () => void): void
  readonly used: number
  readonly nslabs: number
}

/**
 * DESIGN §5 as a plain state machine: the fallback grow when the head has waited `waitMs`, the
 * background grow when usage reaches `atUsage` (one grow at a time, within `maxBytes` from the moment
 * it starts, taking `costMs`, refusable), grow again while the head still waited that long, and a
 * shrink timer for every empty dynamic pool.
 */
export class GrowthModel {
  growing = false
  pendingSlots = 0
  armedFor: Waiting | undefined = undefined
  /** A wait grow was refused for lack of room under maxBytes: retried when room frees. */
  roomWanted = false
  /** The head whose own wait grow the allocate hook refused last: it gets no other (api.md). */
  refusedFor: Waiting | undefined = undefined
  waitTimer: ModelTimer | undefined = undefined
  /** close() was called: api.md, no fallback grow and no wait or shrink timer from then on. */
  closed = false
  grows = 0
  failures = 0
  bytesGrown = 0
  shrinks = 0
  transients = 0

  constructor(
    readonly config: GrowthConfig,
    readonly host: GrowthHost,
  ) {}

  get #now(): number {
    return this.host.timers.now
  }

  totalBytes(): number {
    return (this.host.totalSlots() + this.pendingSlots) * SLOT
  }

  /** The oldest waiter changed: arm the fallback grow for it. */
  queueChanged(): void {
    const waitMs = this.config.waitMs
    if (waitMs === undefined || this.closed) return
    const head = this.host.oldest()
    if (head === this.armedFor) return
    this.host.timers.clear(this.waitTimer)
    this.waitTimer = undefined
    this.armedFor = head
    if (head === undefined) return
    this.waitTimer = this.host.timers.set(head.enqueuedAt + waitMs - this.#now, () => {
      this.waitTimer = undefined
      this.grow('wait')
    })
  }

  grow(reason: 'wait' | 'background'): void {
    const bytes = this.config.chunkSlots * SLOT
    if (this.growing) return
    if (this.totalBytes() + bytes > this.config.maxBytes) {
      if (reason === 'wait') this.roomWanted = true
      return
    }
    if (reason === 'wait') this.roomWanted = false
    const forHead = reason === 'wait' ? this.host.oldest() : undefined
    this.growing = true
    this.pendingSlots = this.config.chunkSlots
    this.host.defer(() => {
      this.host.log(`grow-start@${this.#now}`)
      if (this.config.costMs > 0) this.host.timers.set(this.config.costMs, () => this.#finish(forHead))
      else this.#finish(forHead)
    })
  }

  /** A transient pool went or a dynamic pool shrank: a head refused for lack of room grows now. */
  roomFreed(): void {
    if (!this.roomWanted || this.closed) return
    const head = this.host.oldest()
    const waitMs = this.config.waitMs
    if (waitMs === undefined || head === undefined) {
      this.roomWanted = false
      return
    }
    if (this.#now - head.enqueuedAt >= waitMs) this.grow('wait')
  }

  /** Usage went up: the background worker's trigger. */
  usageRose(): void {
    const at = this.config.atUsage
    if (at !== undefined && this.host.used >= at * this.host.nslabs && !this.growing) this.grow('background')
  }

  #finish(forHead: Waiting | undefined): void {
    this.pendingSlots = 0
    if (this.host.refused()) {
      this.failures++
      this.refusedFor = forHead
      this.growing = false
      this.host.log(`grow-failed@${this.#now}`)
      // A head whose wait ran out while this grow ran, and whose grow it was not, gets its own now.
      const head = this.host.oldest()
      const waitMs = this.config.waitMs
      if (
        !this.closed &&
        waitMs !== undefined &&
        head !== undefined &&
        head !== forHead &&
        head === this.armedFor &&
        this.waitTimer === undefined &&
        this.#now - head.enqueuedAt >= waitMs
      )
        this.grow('wait')
      return
    }
    const n = this.config.chunkSlots
    // min(areas, segments) like the kernel's, lowered to a power of two that gives whole segments.
    const segments = Math.floor(n / SEGMENT)
    let nareas = 2 ** Math.floor(Math.log2(Math.max(1, Math.min(this.host.nareas, segments))))
    while (segments % nareas !== 0) nareas /= 2
    const pool = this.host.addDynamic(n, nareas)
    this.grows++
    this.bytesGrown += n * SLOT
    this.host.log(`grow@${this.#now}`)
    this.emptied(pool)
    this.host.grown()
    this.growing = false
    // Grow again while the oldest waiter has still waited `waitMs` (the wait timer already fired for it).
    const head = this.host.oldest()
    const waitMs = this.config.waitMs
    if (!this.closed && waitMs !== undefined && head !== undefined && this.#now - head.enqueuedAt >= waitMs) {
      this.host.timers.clear(this.waitTimer)
      this.waitTimer = undefined
      this.armedFor = head
      this.grow('wait')
      return
    }
    this.usageRose()
    this.queueChanged()
  }

  /** A dynamic pool became empty: it goes back after `shrinkAfterMs` unless used again. */
  emptied(pool: ModelPool): void {
    const after = this.config.shrinkAfterMs
    if (after === undefined || this.closed || pool.kind !== 'dynamic' || pool.shrinkTimer !== undefined)
      return
    pool.shrinkTimer = this.host.timers.set(after, () => {
      pool.shrinkTimer = undefined
      if (pool.used !== 0) return
      if (!this.host.mayShrink(pool)) {
        this.kept.add(pool)
        return
      }
      this.host.removeDynamic(pool)
      this.shrinks++
      this.host.log(`shrink@${this.#now}`)
      this.roomFreed()
    })
  }

  /** Empty pools kept from shrinking, waiting for a waiter to leave or a mapping to go. */
  readonly kept = new Set<ModelPool>()

  retryShrinks(): void {
    const kept = [...this.kept]
    this.kept.clear()
    for (const pool of kept) if (pool.used === 0) this.emptied(pool)
  }

  /** A dynamic pool got its first mapping since it became empty. */
  used(pool: ModelPool): void {
    this.kept.delete(pool)
    this.host.timers.clear(pool.shrinkTimer)
    pool.shrinkTimer = undefined
  }

  /** `close()`: the wait timer and the shrink timers go. */
  dispose(pools: readonly ModelPool[]): void {
    this.closed = true
    this.host.timers.clear(this.waitTimer)
    this.waitTimer = undefined
    this.armedFor = undefined
    for (const p of pools) this.used(p)
  }
}

import { FairShareModel, inRealOrder } from './model-fair-share.js'
import { type GrowthConfig, GrowthModel } from './model-growth.js'
import {
  BudgetModel,
  type ModelPolicy,
  maxBudgetOf,
  type PolicyHost,
  SerializeModel,
  type Thresholds,
} from './model-policies.js'
import { type ModelPool, ModelPools, SLOT } from './model-pools.js'
import { RANGE, type Refusal, retune } from './model-retune.js'
import { ModelTimers } from './model-timers.js'
import type { Live, Oracle, Req, Waiting } from './model-types.js'
import { ModelWatchers } from './model-watchers.js'

export type Mode = 'budget' | 'serialize' | 'fair-share' | 'off'

export interface ModelConfig {
  mode: Mode
  high: number
  low: number
  /** The size asked for; `nslabs` is what it rounds up to (whole segments per area). */
  sizeBytes: number
  /** `throttle.budgetBytes` instead of `high` and `low` (then `low` is its default). */
  budgetBytes: number | undefined
  nslabs: number
  nareas: number
  growth: GrowthConfig | undefined
}

/**
 * The reference model of a Swiotlb: a slot map, a FIFO per throttle mode, a counter per stat and a
 * timer per thing that waits. It decides everything itself and asks the real pool only where it put a
 * mapping (and, under 'fair-share', which device head it served next), then checks that answer.
 */
export class Model implements PolicyHost {
  readonly timers = new ModelTimers()
  readonly pools: ModelPools
  readonly live = new Map<number, Live>()
  /** Settlements of requests, in order: `mapped:7@12.5`, `timeout:3@40.5`, … */
  readonly log: string[] = []
  /** Growth events, in order: `grow-start@…`, `grow@…`, `grow-failed@…`, `shrink@…`. */
  readonly growLog: string[] = []
  /**
   * The waitQueue$ states the pool must emit (see queueChanged): `<length>/<bytes>/<headWaitedMs>@<at>`.
   */
  readonly queueLog: string[] = []
  /** The waiters (by id) as the last state reported them. */
  #reported = ''
  readonly #deferred: Array<() => void> = []
  readonly policy: ModelPolicy | undefined
  readonly growth: GrowthModel | undefined
  /** The marks and budget every policy reads; setThrottle changes them in place. */
  readonly thresholds: Thresholds
  readonly watchers: ModelWatchers
  /**
   * Blocking usage a smaller budget left above it (api.md: "a smaller budget revokes nothing"); it may
   * only fall until it is within the budget again. 0 when usage is within the budget.
   */
  overBudget = 0
  failures = 0
  admitted = 0
  timeouts = 0
  aborts = 0
  maxWaitMs = 0
  refuse = false

  constructor(
    readonly config: ModelConfig,
    readonly oracle: Oracle,
    defaultAddr: number,
  ) {
    this.pools = new ModelPools(defaultAddr, config.nslabs, config.nareas)
    const { mode, budgetBytes } = config
    if (budgetBytes === undefined)
      this.thresholds = { high: config.high, low: config.low, budgetSlots: undefined }
    else {
      const slots = Math.floor(budgetBytes / SLOT)
      const high = slots / config.nslabs
      this.thresholds = { high, low: Math.min(0.65, high), budgetSlots: slots }
    }
    const t = this.thresholds
    this.policy =
      mode === 'budget'
        ? new BudgetModel(this, t)
        : mode === 'serialize'
          ? new SerializeModel(this, t)
          : mode === 'fair-share'
            ? new FairShareModel(this, t)
            : undefined
    const model = this
    this.watchers = new ModelWatchers({
      get waiting() {
        return model.policy?.waiters().length ?? 0
      },
      get blockingUsed() {
        return model.policy?.blockingUsed ?? 0
      },
      get now() {
        return model.now
      },
      log: this.log,
    })
    if (config.growth !== undefined) {
      this.growth = new GrowthModel(config.growth, {
        timers: this.timers,
        nareas: config.nareas,
        totalSlots: () => this.pools.nslabs + this.pools.transientNslabs,
        oldest: () => this.policy?.oldest(),
        refused: () => this.refuse,
        addDynamic: (n, areas) => this.pools.add('dynamic', this.oracle.nextPoolAddr('dynamic', n), n, areas),
        removeDynamic: (pool) => this.pools.remove(pool),
        mayShrink: (pool) => {
          const p = this.policy
          if (p === undefined) return true
          if (p.waiters().length !== 0) return false
          return mode === 'serialize' || p.blockingUsed <= maxBudgetOf(t, this.pools.nslabs - pool.nslabs)
        },
        grown() {
          model.policy?.drain()
          model.queueChanged()
        },
        log: (entry) => this.growLog.push(entry),
        defer: (fn) => this.#deferred.push(fn),
        get used() {
          return model.pools.used
        },
        get nslabs() {
          return model.pools.nslabs
        },
      })
    }
  }

  get now(): number {
    return this.timers.now
  }
  get nslabs(): number {
    return this.pools.nslabs
  }
  get used(): number {
    return this.pools.used
  }
  get maxNslabs(): number {
    const g = this.config.growth
    // Without a trigger (waitMs or background) nothing ever grows the pool for a waiter.
    if (g === undefined || (g.waitMs === undefined && g.atUsage === undefined)) return this.nslabs
    if (!Number.isFinite(g.maxBytes)) return Number.MAX_SAFE_INTEGER
    // Every grow adds one whole chunk: the default pool and the chunks that fit under maxBytes.
    const base = this.config.nslabs
    const chunks = Math.floor((Math.floor(g.maxBytes / SLOT) - base) / g.chunkSlots)
    return Math.max(base + chunks * g.chunkSlots, this.nslabs)
  }

  feasible(r: Req): boolean {
    return this.pools.feasible(r.nslots, r.alignBytes / SLOT)
  }

  realAdmitsNext(): number | undefined {
    const m = /^mapped:(\d+)@(.*)$/.exec(this.oracle.entry(this.log.length) ?? '')
    return m !== null && Number(m[2]) === this.now ? Number(m[1]) : undefined
  }

  grant(w: Req & { enqueuedAt?: number; timer?: unknown }, throttled: boolean): void {
    const p = this.oracle.placement(w.id)
    if (p === undefined) throw new Error(`the model admits #${w.id} at ${this.now}; the real pool did not`)
    const pool = this.pools.take(p, w.nslots, w.alignBytes)
    const waited = this.now - (w.enqueuedAt ?? this.now)
    if (p.waitedMs !== waited) throw new Error(`#${w.id} reports waitedMs ${p.waitedMs}, waited ${waited}`)
    this.live.set(w.id, {
      id: w.id,
      pool,
      slot: p.slot,
      nslots: w.nslots,
      blocking: w.blocking && this.policy !== undefined,
      throttled,
      device: w.device,
    })
    if (pool.kind === 'dynamic' && pool.used === w.nslots) this.growth?.used(pool)
    if (pool.kind !== 'transient') this.growth?.usageRose()
    if (w.blocking && this.policy !== undefined) {
      this.admitted++
      this.maxWaitMs = Math.max(this.maxWaitMs, waited)
      if ('timer' in w) this.timers.clear((w as Waiting).timer)
    }
    this.log.push(`mapped:${w.id}@${this.now}`)
  }

  /** A non-blocking request (or any request with throttle: false). */
  mapNow(r: Req): void {
    if (this.feasible(r)) {
      this.grant(r, false)
      return
    }
    const g = this.growth
    if (g?.config.atUsage !== undefined) g.grow('background')
    if (g?.config.transient && g.totalBytes() + r.nslots * SLOT <= g.config.maxBytes && !this.refuse) {
      this.pools.add('transient', this.oracle.nextPoolAddr('transient', r.nslots), r.nslots, 1)
      g.transients++
      this.grant(r, false)
      return
    }
    this.failures++
    this.log.push(`full:${r.id}@${this.now}`)
  }

  mapBlocking(r: Req, preAborted: boolean): void {
    const policy = this.policy
    if (policy === undefined) {
      this.mapNow(r)
      return
    }
    if (preAborted) {
      this.aborts++
      this.log.push(`abort:${r.id}@${this.now}`)
      return
    }
    if (r.nslots > policy.maxSlots()) {
      this.log.push(`too-large:${r.id}@${this.now}`)
      return
    }
    const w: Waiting = { ...r, enqueuedAt: this.now, timer: undefined }
    if (policy.submit(w)) return
    if (r.timeoutMs === 0) {
      policy.remove(w)
      this.timeouts++
      this.queueChanged()
      this.log.push(`timeout:${r.id}@${this.now}`)
      return
    }
    if (r.timeoutMs !== Number.POSITIVE_INFINITY) {
      w.timer = this.timers.set(r.timeoutMs, () => {
        w.timer = undefined
        this.timeouts++
        this.#leave(w, 'timeout')
      })
    }
    this.queueChanged()
  }

  abort(id: number): void {
    const w = this.policy?.waiters().find((x) => x.id === id)
    if (w === undefined) return // settled already: aborting changes nothing
    this.timers.clear(w.timer)
    this.aborts++
    this.#leave(w, 'abort')
  }

  /** The leaver settles before anyone its leaving admits. */
  #leave(w: Waiting, why: 'timeout' | 'abort'): void {
    this.log.push(`${why}:${w.id}@${this.now}`)
    this.policy!.remove(w)
    this.growth?.retryShrinks()
    this.queueChanged()
  }

  unmap(id: number): void {
    const l = this.live.get(id)!
    this.live.delete(id)
    this.pools.free(l.pool, l.slot, l.nslots)
    if (l.pool.kind === 'dynamic' && l.pool.used === 0) this.growth?.emptied(l.pool)
    if (l.pool.kind === 'transient') this.growth?.roomFreed()
    this.policy?.release(l.nslots, l.device, l.blocking, l.throttled)
    this.queueChanged()
    if (this.policy !== undefined) this.growth?.retryShrinks()
  }

  /**
   * cancelWaiting(reason, { device }): every waiter (or `device`'s) rejects, in arrival order, as if
   * its own signal had aborted; nobody is admitted until all have left, then the queue drains once.
   * Logs the count returned, then each rejection: `cancelled[<bytes> <device>]` (a WaitCancelledError
   * of its own) or `reason(same)` (the caller's reason, the same value for each).
   */
  cancel(withReason: boolean, device: string | undefined): void {
    const policy = this.policy
    let gone = policy?.take(device) ?? []
    this.log.push(`cancel→${gone.length}@${this.now}`)
    if (policy === undefined || gone.length === 0) return
    if (policy instanceof FairShareModel) gone = inRealOrder(gone, this.oracle, this.log.length)
    for (const w of gone) {
      this.timers.clear(w.timer)
      this.aborts++
      this.log.push(`${withReason ? 'reason(same)' : `cancelled[${w.size} ${w.device}]`}:${w.id}@${this.now}`)
    }
    policy.drain()
    this.growth?.retryShrinks()
    this.queueChanged()
  }

  /** setThrottle(input): the refusals (nothing changes), or undefined once applied and drained. */
  setThrottle(input: unknown): Refusal[] | undefined {
    const policy = this.policy
    if (policy === undefined) return [{ code: RANGE, value: input }]
    const next = retune(input, this.thresholds, this.pools.nslabs)
    if (Array.isArray(next)) return next
    Object.assign(this.thresholds, next)
    if (!(policy instanceof SerializeModel) && policy.blockingUsed > policy.budget)
      this.overBudget = policy.blockingUsed
    policy.drain()
    this.queueChanged()
    return undefined
  }

  /**
   * After each operation that may have changed the queue. api.md: waitQueue$ emits on every change of
   * the queue (a request joins, is admitted, times out, is aborted), one state per operation; an
   * operation that leaves the same waiters (a `timeoutMs: 0` turned away, an unmap that admits nobody)
   * emits nothing.
   */
  queueChanged(): void {
    const waiters = this.policy?.waiters() ?? []
    const ids = waiters.map((w) => w.id).join()
    if (ids !== this.#reported) {
      this.#reported = ids
      const now = this.now
      const bytes = waiters.reduce((sum, w) => sum + w.size, 0)
      const head = this.policy?.oldest()
      const headWaited = head === undefined ? 0 : now - head.enqueuedAt
      this.queueLog.push(`${waiters.length}/${bytes}/${headWaited}@${now}`)
    }
    this.growth?.queueChanged()
    this.watchers.check()
  }

  /** Runs the work a step left for later (the microtasks before the next timer). */
  flush(): void {
    for (let fn = this.#deferred.shift(); fn !== undefined; fn = this.#deferred.shift()) fn()
  }

  advance(ms: number): void {
    this.flush()
    this.timers.run(this.now + ms, () => this.flush())
  }

  runAll(): void {
    this.flush()
    this.timers.run(Number.POSITIVE_INFINITY, () => this.flush())
  }

  close(): void {
    this.growth?.dispose(this.pools.pools)
  }

  liveIn(pool: ModelPool): number {
    let n = 0
    for (const l of this.live.values()) if (l.pool === pool) n++
    return n
  }
}

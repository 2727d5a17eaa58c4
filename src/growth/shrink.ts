import type { Pool } from '../allocator/pool.js'
import type { Clock, TimerHandle } from '../clock/clock.js'

/**
 * The shrinker the kernel lacks: a dynamic pool that stayed empty `afterMs` is handed to `release`,
 * which may keep it for now (answering false): it is then set aside until `retry()`, called when a
 * waiter leaves or a mapping goes, starts its wait again. One timer per empty dynamic pool; the first
 * allocation into it cancels the timer.
 */
export class Shrinker {
  readonly #timers = new Map<Pool, TimerHandle>()
  readonly #kept = new Set<Pool>()
  #closed = false

  constructor(
    private readonly clock: Clock,
    private readonly afterMs: number,
    private readonly release: (pool: Pool) => boolean,
  ) {}

  /** `pool` just became empty. */
  emptied(pool: Pool): void {
    if (this.#closed || pool.kind !== 'dynamic' || this.#timers.has(pool)) return
    pool.emptySince = this.clock.now()
    this.#timers.set(
      pool,
      this.clock.setTimer(this.afterMs, () => {
        this.#timers.delete(pool)
        if (pool.used === 0 && !this.release(pool)) this.#kept.add(pool)
      }),
    )
  }

  /** Starts the wait again for the empty pools `release` kept. */
  retry(): void {
    if (this.#kept.size === 0) return
    const kept = [...this.#kept]
    this.#kept.clear()
    for (const pool of kept) if (pool.used === 0) this.emptied(pool)
  }

  /** `pool` got its first mapping since it became empty. */
  used(pool: Pool): void {
    this.#kept.delete(pool)
    const timer = this.#timers.get(pool)
    if (timer === undefined) return
    this.clock.clearTimer(timer)
    this.#timers.delete(pool)
  }

  /** Clears every timer and arms none again. */
  dispose(): void {
    this.#closed = true
    for (const timer of this.#timers.values()) this.clock.clearTimer(timer)
    this.#timers.clear()
    this.#kept.clear()
  }
}

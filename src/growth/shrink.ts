import type { Pool } from '../allocator/pool.js'
import type { Clock, TimerHandle } from '../clock/clock.js'

/**
 * The shrinker the kernel lacks: a dynamic pool that stayed empty `afterMs` is handed to `release`.
 * One timer per empty dynamic pool; the first allocation into it cancels the timer.
 */
export class Shrinker {
  readonly #timers = new Map<Pool, TimerHandle>()

  constructor(
    private readonly clock: Clock,
    private readonly afterMs: number,
    private readonly release: (pool: Pool) => void,
  ) {}

  /** `pool` just became empty. */
  emptied(pool: Pool): void {
    if (pool.kind !== 'dynamic' || this.#timers.has(pool)) return
    pool.emptySince = this.clock.now()
    this.#timers.set(
      pool,
      this.clock.setTimer(this.afterMs, () => {
        this.#timers.delete(pool)
        if (pool.used === 0) this.release(pool)
      }),
    )
  }

  /** `pool` got its first mapping since it became empty. */
  used(pool: Pool): void {
    const timer = this.#timers.get(pool)
    if (timer === undefined) return
    this.clock.clearTimer(timer)
    this.#timers.delete(pool)
  }

  get pending(): number {
    return this.#timers.size
  }

  dispose(): void {
    for (const timer of this.#timers.values()) this.clock.clearTimer(timer)
    this.#timers.clear()
  }
}

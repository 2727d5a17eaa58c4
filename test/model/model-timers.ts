/** One timer of the reference model. `seq` orders timers due at the same time: first set, first fired. */
export interface ModelTimer {
  readonly at: number
  readonly seq: number
  readonly fn: () => void
}

/**
 * The model's own clock: the timers the real pool should hold, kept as a plain set. Firing order is
 * the contract of VirtualClock, `(time, seq)`; the model never looks at the real clock's heap.
 */
export class ModelTimers {
  now = 0
  #seq = 0
  readonly #timers = new Set<ModelTimer>()

  set(delayMs: number, fn: () => void): ModelTimer {
    const timer = { at: this.now + Math.max(0, delayMs), seq: this.#seq++, fn }
    this.#timers.add(timer)
    return timer
  }

  clear(timer: ModelTimer | undefined): void {
    if (timer !== undefined) this.#timers.delete(timer)
  }

  get count(): number {
    return this.#timers.size
  }

  /**
   * Fires every timer due at or before `until`, in `(time, seq)` order, then moves time to `until`.
   * `afterEach` runs after every timer (the microtasks the real clock drains between timers).
   */
  run(until: number, afterEach: () => void = () => {}): void {
    for (;;) {
      let next: ModelTimer | undefined
      for (const t of this.#timers) {
        if (t.at <= until && (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq)))
          next = t
      }
      if (next === undefined) break
      this.#timers.delete(next)
      if (next.at > this.now) this.now = next.at
      next.fn()
      afterEach()
    }
    if (until !== Number.POSITIVE_INFINITY && until > this.now) this.now = until
  }
}

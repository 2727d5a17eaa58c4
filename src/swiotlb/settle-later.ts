const resolved = Promise.resolve()

/**
 * Admissions whose promises are settled one microtask late, in the order they were admitted.
 *
 * A queued withMapping call's promise is derived from its waiter's (see runQueued), so a rejection
 * reaches its caller one microtask after the waiter's. When such a call leaves (timeout, abort,
 * cancelWaiting), the waiters its leaving admits, and the onIdle / onQueueBelow calls it satisfies, are
 * settled here, after that microtask, so that callers still see the leaver's rejection first (api.md,
 * fairness rule 7), as after a map caller. The slots are taken at once (direct handoff); only the
 * promises wait.
 */
export class SettleLater {
  /** Pairs: resolve function, value. */
  #pending: unknown[] = []

  readonly #flush = (): void => {
    const pending = this.#pending
    this.#pending = []
    for (let i = 0; i < pending.length; i += 2) (pending[i] as (value: unknown) => void)(pending[i + 1])
  }

  add(resolve: (value: unknown) => void, value: unknown): void {
    if (this.#pending.push(resolve, value) === 2) void resolved.then(this.#flush)
  }
}

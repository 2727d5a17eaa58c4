const resolved = Promise.resolve()

/**
 * Admissions whose promises are settled some microtasks late, in the order they were admitted.
 *
 * A waiter that leaves (timeout, abort, cancelWaiting) or is refused is rejected through its resolve
 * function (see rejectWaiter), so its caller sees the rejection one microtask later than a direct
 * reject would show it, and a queued withMapping caller, whose promise is derived from its waiter's
 * (see runQueued), one more. The waiters such a leaving admits, and the onIdle / onQueueBelow calls it
 * satisfies, are settled here, that many microtasks later, so that callers still see the leaver's
 * rejection first (api.md, fairness rule 7). The slots are taken at once (direct handoff); only the
 * promises wait.
 */
export class SettleLater {
  /** Pairs: resolve function, value. */
  #pending: unknown[] = []
  /** Microtasks to wait before settling: the most any leaver of this operation asked for. */
  hops = 0
  #left = 0

  readonly #step = (): void => {
    if (--this.#left > 0) {
      void resolved.then(this.#step)
      return
    }
    const pending = this.#pending
    this.#pending = []
    for (let i = 0; i < pending.length; i += 2) (pending[i] as (value: unknown) => void)(pending[i + 1])
  }

  add(resolve: (value: unknown) => void, value: unknown): void {
    if (this.#pending.push(resolve, value) === 2) {
      this.#left = this.hops
      void resolved.then(this.#step)
    } else if (this.hops > this.#left) {
      // A later rejection (a refusal in the same drain) asks for more: the whole batch waits for it,
      // so that nothing settles out of admission order.
      this.#left = this.hops
    }
  }
}

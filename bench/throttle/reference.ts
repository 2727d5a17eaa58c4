/**
 * Reference points for the contended cases, not products: what the same tasks cost with no limiter at
 * all (the floor), and with the least a fair weighted FIFO limiter can do (a counter, an intrusive
 * queue, one promise per waiter; no timeouts, no abort, no stats, no slots). A library's cost above the
 * floor, against this one's, shows how much of a ratio is left to win.
 */

class Ticket {
  next: Ticket | undefined = undefined
  resolve: ((value: unknown) => void) | undefined = undefined
  reject: ((error: unknown) => void) | undefined = undefined
  /** The callback of a `run` call, started when the ticket is admitted. */
  fn: (() => Promise<unknown>) | undefined = undefined
  constructor(readonly weight: number) {}
}

let filling: Ticket | undefined
function fill(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  filling!.resolve = resolve
  filling!.reject = reject
}

export class MinimalLimiter {
  #used = 0
  #head: Ticket | undefined = undefined
  #tail: Ticket | undefined = undefined

  constructor(readonly capacity: number) {}

  acquire(weight: number): Promise<number> {
    if (this.#head === undefined && this.#used + weight <= this.capacity) {
      this.#used += weight
      return Promise.resolve(weight)
    }
    return this.#enqueue(new Ticket(weight)) as Promise<number>
  }

  /** The one-call form (p-limit's `limit(fn)`): `fn` runs holding `weight`, released when it settles. */
  run<R>(weight: number, fn: () => Promise<R>): Promise<R> {
    if (this.#head === undefined && this.#used + weight <= this.capacity) {
      this.#used += weight
      return this.#exec(weight, fn)
    }
    const t = new Ticket(weight)
    t.fn = fn
    return this.#enqueue(t) as Promise<R>
  }

  async #exec<R>(weight: number, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn()
    } finally {
      this.release(weight)
    }
  }

  #enqueue(t: Ticket): Promise<unknown> {
    filling = t
    const promise = new Promise<unknown>(fill)
    filling = undefined
    if (this.#tail === undefined) this.#head = t
    else this.#tail.next = t
    this.#tail = t
    return promise
  }

  release(weight: number): void {
    this.#used -= weight
    for (let t = this.#head; t !== undefined && this.#used + t.weight <= this.capacity; t = this.#head) {
      this.#head = t.next
      if (this.#head === undefined) this.#tail = undefined
      this.#used += t.weight
      if (t.fn === undefined) t.resolve!(t.weight)
      else this.#exec(t.weight, t.fn).then(t.resolve, t.reject)
    }
  }
}

/** The floor: the benchmark's task shape (an async function awaiting twice) with nothing to wait for. */
export async function floorTask(): Promise<void> {
  await null
  await null
}

import type { Mapping } from './mapping.js'

/** What `withMapping` runs while the mapping is held. */
export type MappingCallback<R> = (mapping: Mapping) => R | PromiseLike<R>

/** A queued withMapping call: its callback, and how to settle the caller's promise. */
export interface Job {
  fn: MappingCallback<unknown> | undefined
  mapping: Mapping | undefined
  resolve: ((value: unknown) => void) | undefined
  reject: ((error: unknown) => void) | undefined
}

function release(m: Mapping, strict: boolean): void {
  if (!m.live) return
  try {
    m.unmap()
  } catch (error) {
    if (m.live) m.unmap({ skipCpuSync: true })
    if (strict) throw error
  }
}

const resolved = Promise.resolve()

/**
 * Runs withMapping callbacks: `fn(m)`, then the unmap of `m` whatever the outcome.
 *
 * A waiter is admitted inside somebody else's unmap (direct handoff); its callback must not run there,
 * in the middle of another caller's call. Admitted jobs join a ready list instead, and one microtask
 * starts them all, in admission order. (Starting them right after a callback's own unmap instead,
 * without the microtask, measured 20 % slower on the contended benchmark.) A queued call costs its
 * waiter and its promise, and no async frame while it waits.
 */
export class JobRunner {
  #ready: Job[] = []
  #spare: Job[] = []
  #scheduled = false
  readonly #flush = (): void => this.#run()

  /**
   * Runs `fn(m)` for a call admitted at once and unmaps `m` when it settles: resolves with fn's value,
   * or rejects with its error. A callback that unmapped `m` itself is fine. When the unmap cannot copy
   * back (the caller's buffer was detached), the slots are freed without the copy and the unmap's error
   * is the result, unless fn had failed first: its error wins.
   */
  async run<R>(m: Mapping, fn: MappingCallback<R>): Promise<R> {
    let value: R
    try {
      value = await fn(m)
    } catch (error) {
      release(m, false)
      throw error
    }
    release(m, true)
    return value
  }

  /**
   * `run` for a queued call, settling the caller's promise itself. A reaction on fn's promise, not an
   * async function: a suspended async frame per running callback measured about 20 % slower on the
   * contended benchmark (each variant alone in its own process; see docs/performance.md).
   */
  #runJob(m: Mapping, fn: MappingCallback<unknown>, job: Job): void {
    let result: unknown
    try {
      result = fn(m)
    } catch (error) {
      release(m, false)
      job.reject!(error)
      return
    }
    Promise.resolve(result).then(
      (value) => {
        try {
          release(m, true)
        } catch (error) {
          job.reject!(error)
          return
        }
        job.resolve!(value)
      },
      (error: unknown) => {
        release(m, false)
        job.reject!(error)
      },
    )
  }

  /** `job.mapping` was just admitted: its callback starts on the next microtask. */
  start(job: Job): void {
    this.#ready.push(job)
    if (!this.#scheduled) {
      this.#scheduled = true
      // A resolved promise's reaction: Node's queueMicrotask allocates a wrapper per call.
      resolved.then(this.#flush)
    }
  }

  #run(): void {
    this.#scheduled = false
    const ready = this.#ready
    // Jobs admitted by the callbacks started below go to a fresh list.
    this.#ready = this.#spare
    for (let i = 0; i < ready.length; i++) {
      const job = ready[i]!
      const m = job.mapping!
      const fn = job.fn!
      job.mapping = undefined
      job.fn = undefined
      this.#runJob(m, fn, job)
    }
    ready.length = 0
    this.#spare = ready
  }
}

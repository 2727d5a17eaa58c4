/** One caller of onIdle (below 0) or onQueueBelow(n) in the model, until its promise settles. */
export interface ModelWatcher {
  readonly id: number
  /** 0 for onIdle; else resolve when fewer than this many blocking requests wait. */
  readonly below: number
  readonly hasSignal: boolean
}

/** What the watchers read of the model: how many wait, and the slots blocking mappings hold. */
export interface WatchedQueue {
  readonly waiting: number
  readonly blockingUsed: number
  readonly now: number
  readonly log: string[]
}

/**
 * onIdle / onQueueBelow as docs/api.md states them: `onIdle()` resolves when nobody waits and no
 * blocking mapping is live (non-blocking mappings do not count); `onQueueBelow(n)` when fewer than `n`
 * wait. Both resolve at once when already true, reject with `signal.reason` when the signal aborts (at
 * once when it already has), and are checked after each change of the queue and each blocking unmap.
 * Watchers that become true together settle in the order they were made.
 */
export class ModelWatchers {
  readonly pending: ModelWatcher[] = []

  constructor(readonly queue: WatchedQueue) {}

  static entry(w: { id: number; below: number }): string {
    return `${w.below === 0 ? 'idle' : `below${w.below}`}:w${w.id}`
  }

  #reached(below: number): boolean {
    const q = this.queue
    return below === 0 ? q.waiting === 0 && q.blockingUsed === 0 : q.waiting < below
  }

  add(w: ModelWatcher, preAborted: boolean): void {
    const at = `@${this.queue.now}`
    if (preAborted) this.queue.log.push(`watch-abort:w${w.id}${at}`)
    else if (this.#reached(w.below)) this.queue.log.push(`${ModelWatchers.entry(w)}${at}`)
    else this.pending.push(w)
  }

  /** The watcher's signal aborted: it rejects if it is still pending; a settled one ignores it. */
  abort(id: number): void {
    const at = this.pending.findIndex((w) => w.id === id)
    if (at < 0) return
    this.pending.splice(at, 1)
    this.queue.log.push(`watch-abort:w${id}@${this.queue.now}`)
  }

  check(): void {
    for (let i = 0; i < this.pending.length; ) {
      const w = this.pending[i]!
      if (this.#reached(w.below)) {
        this.pending.splice(i, 1)
        this.queue.log.push(`${ModelWatchers.entry(w)}@${this.queue.now}`)
      } else i++
    }
  }
}

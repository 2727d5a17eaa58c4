import { DrainGuard } from './drain-guard.js'
import type { ThrottleHost, ThrottlePolicy, ThrottleThresholds } from './policy.js'
import { type Waiter, WaitQueue } from './wait-queue.js'

/**
 * The blk-mq tag-set model. Blocking callers own a budget of `high × nslabs` slots; the band above it
 * is left to non-blocking callers. A request is admitted at once only when nobody waits and it fits;
 * otherwise it joins one FIFO. Each release admits heads while they fit, allocating for them before
 * their promise resolves: nobody overtakes a waiter, and a large head is never starved by small
 * newcomers.
 */
export class BudgetPolicy implements ThrottlePolicy {
  readonly mode = 'budget'
  readonly queue = new WaitQueue()
  blockingUsed = 0
  highCount = 0
  readonly lowCount = 0
  readonly #guard = new DrainGuard()
  readonly #pass = () => this.#drainPass()

  constructor(
    private readonly host: ThrottleHost,
    private readonly thresholds: ThrottleThresholds,
  ) {}

  budget(): number {
    return Math.floor(this.thresholds.high * this.host.nslabs)
  }

  maxSlots(nslabs: number): number {
    return Math.floor(this.thresholds.high * nslabs)
  }

  fastPath(nslots: number): boolean {
    return this.queue.length === 0 && this.blockingUsed + nslots <= this.budget()
  }

  admitted(nslots: number): void {
    this.blockingUsed += nslots
  }

  submit(w: Waiter, tryNow = true): boolean {
    if (
      tryNow &&
      this.queue.length === 0 &&
      this.blockingUsed + w.nslots <= this.budget() &&
      this.host.grant(w)
    ) {
      this.blockingUsed += w.nslots
      return true
    }
    this.highCount++
    this.queue.push(w)
    return false
  }

  release(nslots: number): void {
    this.blockingUsed -= nslots
    this.drain()
  }

  drain(): void {
    if (this.queue.length !== 0) this.#guard.run(this.#pass)
  }

  #drainPass(): void {
    const queue = this.queue
    for (let w = queue.head; w !== undefined; w = queue.head) {
      if (this.blockingUsed + w.nslots > this.budget()) return
      queue.shift()
      if (!this.host.grant(w)) {
        queue.unshift(w)
        return
      }
      this.blockingUsed += w.nslots
    }
  }

  remove(w: Waiter): void {
    const wasHead = this.queue.head === w
    this.queue.remove(w)
    if (wasHead) this.drain()
  }

  oldest(): Waiter | undefined {
    return this.queue.head
  }

  get waiting(): number {
    return this.queue.length
  }

  get bytesWaiting(): number {
    return this.queue.bytesWaiting
  }
}

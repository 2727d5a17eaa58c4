import { BudgetedPolicy } from './budgeted.js'
import { type Waiter, WaitQueue } from './wait-queue.js'

/**
 * The blk-mq tag-set model. Blocking callers own a budget of `high × nslabs` slots; the band above it
 * is left to non-blocking callers. A request is admitted at once only when nobody waits and it fits;
 * otherwise it joins one FIFO. Each release admits heads while they fit, allocating for them before
 * their promise resolves: nobody overtakes a waiter, and a large head is never starved by small
 * newcomers.
 */
export class BudgetPolicy extends BudgetedPolicy {
  readonly mode = 'budget'
  readonly #queue = new WaitQueue()

  fastPath(nslots: number): boolean {
    return this.waiting === 0 && this.blockingUsed + nslots <= this.budget()
  }

  /** The head goes if it fits; a head that does not fit holds everyone behind it. */
  protected put(): boolean {
    const w = this.#queue.head
    return w !== undefined && this.handOff(w, this.#queue)
  }

  protected enqueue(w: Waiter): void {
    this.#queue.push(w)
  }

  remove(w: Waiter, admitNext = true): boolean {
    const wasHead = this.unqueue(w, this.#queue)
    if (wasHead && admitNext) this.drain()
    return wasHead
  }

  takeWaiting(device: string | undefined): Waiter[] {
    const out: Waiter[] = []
    this.takeFrom(this.#queue, device, out)
    return out
  }

  oldest(): Waiter | undefined {
    return this.#queue.head
  }
}

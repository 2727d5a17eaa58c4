/**
 * One blocking request waiting for budget. The facade extends it with what it needs to allocate and
 * settle the request; the throttle sees only this part.
 */
export class Waiter {
  prev: Waiter | undefined = undefined
  next: Waiter | undefined = undefined
  /** The queue this waiter is in, or undefined once it left. */
  queue: WaitQueue | undefined = undefined
  /**
   * Set (to true) by a policy that refused the request: it found no slots (the RFC's failure). Absent
   * until then, so that the waiters of the other modes do not carry it.
   */
  declare refused?: boolean
  readonly nslots: number
  readonly sizeBytes: number
  readonly device: string
  /** Clock time it joined the queue. The host may reuse the field once the waiter is admitted. */
  enqueuedAt: number

  constructor(nslots: number, sizeBytes: number, device: string, enqueuedAt: number) {
    this.nslots = nslots
    this.sizeBytes = sizeBytes
    this.device = device
    this.enqueuedAt = enqueuedAt
  }
}

/**
 * A FIFO of waiters as an intrusive doubly-linked list: push, shift, unshift and remove are O(1),
 * so a waiter that times out or is aborted leaves at once and leaves no ghost behind.
 *
 *   head → [w1] ⇄ [w2] ⇄ [w3] ← tail      (arrival order; the head is admitted first)
 */
export class WaitQueue {
  head: Waiter | undefined = undefined
  tail: Waiter | undefined = undefined
  length = 0
  bytesWaiting = 0

  push(w: Waiter): void {
    w.queue = this
    w.prev = this.tail
    w.next = undefined
    if (this.tail) this.tail.next = w
    else this.head = w
    this.tail = w
    this.length++
    this.bytesWaiting += w.sizeBytes
  }

  /** Puts a waiter back at the head (an admission that could not complete). */
  unshift(w: Waiter): void {
    w.queue = this
    w.next = this.head
    w.prev = undefined
    if (this.head) this.head.prev = w
    else this.tail = w
    this.head = w
    this.length++
    this.bytesWaiting += w.sizeBytes
  }

  shift(): Waiter | undefined {
    const w = this.head
    if (w) this.remove(w)
    return w
  }

  remove(w: Waiter): void {
    if (w.queue !== this) return
    if (w.prev) w.prev.next = w.next
    else this.head = w.next
    if (w.next) w.next.prev = w.prev
    else this.tail = w.prev
    w.prev = w.next = undefined
    w.queue = undefined
    this.length--
    this.bytesWaiting -= w.sizeBytes
  }
}

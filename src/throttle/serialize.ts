import { SEGMENT_SLOTS } from '../allocator/layout.js'
import { DrainGuard } from './drain-guard.js'
import type { Admitted, ThrottleHost, ThrottlePolicy, ThrottleThresholds } from './policy.js'
import { type Waiter, WaitQueue } from './wait-queue.js'

/**
 * Michael Kelley's RFC ("swiotlb: Allow swiotlb to throttle"), faithfully:
 *
 *   if used > high                      → throttle (highCount++)
 *   else if semaphore held && used > low → throttle (lowCount++)
 *   else                                → map at once
 *
 * A throttled request takes a FIFO semaphore of 1 and keeps it until its own unmap. Thresholds are
 * fractions of the current capacity, or, with `throttle.budgetBytes`, fixed in slots: the high mark is
 * the budget and the low mark the same fraction of it that `low` is of `high`, both kept as the pool
 * grows. A request that finds no slots fails, as in the RFC
 * (swiotlb_tbl_map_single gives the semaphore back and returns DMA_MAPPING_ERROR), with `whenFull:
 * 'fail'`: each throttled waiter in turn takes the semaphore, searches, and fails while the pool stays
 * full. With `whenFull: 'wait'` (the default: a blocking call never fails for a full pool) it keeps
 * waiting instead: an unthrottled request that finds no room queues for the semaphore like a throttled
 * one, without counting as throttled.
 *
 * The semaphore is this policy's own state: the request that holds it while it waits for slots
 * (`#holder`), then the mapping it got (`#owner`), whose unmap gives it up.
 */
export class SerializePolicy implements ThrottlePolicy {
  readonly mode = 'serialize'
  readonly #queue = new WaitQueue()
  #held = false
  /** The request holding the semaphore but still waiting for slots, if any. */
  #holder: Waiter | undefined = undefined
  /** The mapping holding the semaphore until its unmap, once its request got slots. */
  #owner: Admitted | undefined = undefined
  blockingUsed = 0
  highCount = 0
  lowCount = 0
  readonly #guard = new DrainGuard()
  readonly #pass = () => this.#drainPass()

  constructor(
    private readonly host: ThrottleHost,
    private readonly thresholds: ThrottleThresholds & { whenFull?: 'fail' | 'wait' },
  ) {}

  get #fails(): boolean {
    return this.thresholds.whenFull === 'fail'
  }

  maxSlots(): number {
    return SEGMENT_SLOTS
  }

  /** The RFC has no budget: blocking usage is bounded by the marks and the semaphore. */
  budget(): number {
    return 0
  }

  mayShrinkTo(): boolean {
    return this.waiting === 0
  }

  fastPath(): boolean {
    const { nslabs, used } = this.host
    return !(used > this.#highMark(nslabs)) && !(this.#held && used > this.#lowMark(nslabs))
  }

  /** The RFC's high mark in slots: `high × nslabs`, or the budget fixed in bytes. */
  #highMark(nslabs: number): number {
    const fixed = this.thresholds.budgetSlots
    return fixed === undefined ? this.thresholds.high * nslabs : fixed
  }

  /** The low mark in slots: `low × nslabs`, or, under a fixed high mark, `low / high` of it. */
  #lowMark(nslabs: number): number {
    const { budgetSlots, high, low } = this.thresholds
    return budgetSlots === undefined ? low * nslabs : (budgetSlots * low) / high
  }

  admitted(nslots: number): void {
    this.blockingUsed += nslots
  }

  submit(w: Waiter, tryNow = true): boolean {
    const { nslabs, used } = this.host
    let throttle = false
    if (used > this.#highMark(nslabs)) {
      this.highCount++
      throttle = true
    } else if (this.#held && used > this.#lowMark(nslabs)) {
      this.lowCount++
      throttle = true
    }
    if (!throttle && tryNow && this.host.grant(w) !== undefined) {
      this.blockingUsed += w.nslots
      return true
    }
    if (!throttle && this.#fails) {
      // Not throttled and no slots: the RFC's map fails at once, like any other.
      w.refused = true
      this.host.refuse(w)
      return false
    }
    this.#queue.push(w)
    this.drain()
    // A waiter granted inside drain() has already been settled: report it as admitted.
    return !w.refused && w.queue === undefined && this.#holder !== w
  }

  release(m: Admitted): void {
    this.blockingUsed -= m.slots
    if (m === this.#owner) {
      this.#owner = undefined
      this.#held = false
    }
    this.drain()
  }

  drain(): void {
    if (this.#held || this.#queue.length !== 0) this.#guard.run(this.#pass)
  }

  #drainPass(): void {
    for (;;) {
      if (!this.#held) {
        const next = this.#queue.shift()
        if (next === undefined) return
        this.#held = true
        this.#holder = next
      }
      const holder = this.#holder
      if (holder === undefined) return
      const m = this.host.grant(holder)
      if (m !== undefined) {
        this.#holder = undefined
        this.#owner = m
        this.blockingUsed += holder.nslots
        return
      }
      // whenFull 'wait' keeps it waiting for a release, unless none can come (host.stranded).
      if (!this.#fails && !this.host.stranded()) return
      // The RFC: no slots after down() → up() and fail; the next waiter takes the semaphore.
      this.#holder = undefined
      this.#held = false
      holder.refused = true
      this.host.refuse(holder)
    }
  }

  remove(w: Waiter, admitNext = true): boolean {
    if (this.#holder === w) {
      this.#holder = undefined
      this.#held = false
      if (admitNext) this.drain()
      return true
    }
    this.#queue.remove(w)
    return false
  }

  takeWaiting(device: string | undefined): Waiter[] {
    const out: Waiter[] = []
    const holder = this.#holder
    if (holder !== undefined && (device === undefined || holder.device === device)) {
      this.#holder = undefined
      this.#held = false
      out.push(holder)
    }
    let w = this.#queue.head
    while (w !== undefined) {
      const next = w.next
      if (device === undefined || w.device === device) {
        this.#queue.remove(w)
        out.push(w)
      }
      w = next
    }
    return out
  }

  oldest(): Waiter | undefined {
    return this.#holder ?? this.#queue.head
  }

  get waiting(): number {
    return this.#queue.length + (this.#holder ? 1 : 0)
  }

  get bytesWaiting(): number {
    return this.#queue.bytesWaiting + (this.#holder ? this.#holder.sizeBytes : 0)
  }
}

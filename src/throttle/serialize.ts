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
 * fractions of the current capacity. Where the RFC would fail a request that found no slots, this
 * policy keeps it waiting (a blocking call never fails for a full pool): an unthrottled request that
 * finds no room queues for the semaphore like a throttled one, without counting as throttled.
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
    private readonly thresholds: ThrottleThresholds,
  ) {}

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
    return !(used > this.thresholds.high * nslabs) && !(this.#held && used > this.thresholds.low * nslabs)
  }

  admitted(nslots: number): void {
    this.blockingUsed += nslots
  }

  submit(w: Waiter, tryNow = true): boolean {
    const { nslabs, used } = this.host
    let throttle = false
    if (used > this.thresholds.high * nslabs) {
      this.highCount++
      throttle = true
    } else if (this.#held && used > this.thresholds.low * nslabs) {
      this.lowCount++
      throttle = true
    }
    if (!throttle && tryNow && this.host.grant(w) !== undefined) {
      this.blockingUsed += w.nslots
      return true
    }
    this.#queue.push(w)
    this.drain()
    // A waiter granted inside drain() has already been settled: report it as admitted.
    return w.queue === undefined && this.#holder !== w
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
    }
  }

  remove(w: Waiter, admitNext = true): void {
    if (this.#holder === w) {
      this.#holder = undefined
      this.#held = false
      if (admitNext) this.drain()
      return
    }
    this.#queue.remove(w)
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

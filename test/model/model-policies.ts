import { SEGMENT } from './model-pools.js'
import type { Waiting } from './model-types.js'

/**
 * The thresholds every policy reads on each decision; `setThrottle` changes them in place (api.md:
 * "the new marks apply to the next decisions"). `budgetSlots` is a budget fixed in bytes
 * (`throttle.budgetBytes`), undefined when the budget follows `high × nslabs`.
 */
export interface Thresholds {
  high: number
  low: number
  budgetSlots: number | undefined
}

/** The blocking budget now: fixed, or `floor(high × nslabs)` of the current capacity. */
export function budgetOf(t: Thresholds, nslabs: number): number {
  return t.budgetSlots ?? Math.floor(t.high * nslabs)
}

/**
 * The RFC's marks in slots ('serialize'): fractions of the current capacity, or, with a budget fixed in
 * bytes, that budget and `low / high` of it (api.md, throttle options), kept as the pool grows.
 */
export function marksOf(t: Thresholds, nslabs: number): { high: number; low: number } {
  if (t.budgetSlots === undefined) return { high: t.high * nslabs, low: t.low * nslabs }
  return { high: t.budgetSlots, low: (t.budgetSlots * t.low) / t.high }
}

/** The largest the budget could ever be with `maxNslabs` of capacity. */
export function maxBudgetOf(t: Thresholds, maxNslabs: number): number {
  return t.budgetSlots === undefined ? Math.floor(t.high * maxNslabs) : Math.min(t.budgetSlots, maxNslabs)
}

/** What a model policy needs from the model around it. */
export interface PolicyHost {
  readonly nslabs: number
  readonly used: number
  /** Largest capacity growth may reach, in slots. */
  readonly maxNslabs: number
  feasible(w: Waiting): boolean
  /** Hands slots to `w` (checked against the real placement) and settles it. */
  grant(w: Waiting, throttled: boolean): void
  /** The id the real pool admitted next, if its next settlement is an admission at the current time. */
  realAdmitsNext(): number | undefined
}

/** The reference behaviour of one throttle mode (DESIGN §4), as plainly as it can be written. */
export interface ModelPolicy {
  /** A blocking request arrives (after the abort and size checks): true when admitted at once. */
  submit(w: Waiting): boolean
  drain(): void
  release(nslots: number, device: string, blocking: boolean, throttled: boolean): void
  remove(w: Waiting): void
  /**
   * cancelWaiting: takes every waiter (or `device`'s) out, in arrival order (device by device under
   * 'fair-share'), without draining: nobody is admitted until all of them have left.
   */
  take(device: string | undefined): Waiting[]
  oldest(): Waiting | undefined
  maxSlots(): number
  waiters(): Waiting[]
  readonly budget: number
  readonly blockingUsed: number
  readonly highCount: number
  readonly lowCount: number
}

function without<T>(list: T[], item: T): boolean {
  const at = list.indexOf(item)
  if (at >= 0) list.splice(at, 1)
  return at === 0
}

/** Takes the waiters of `queue` (all, or `device`'s) out of it, in order. */
export function takeFrom(queue: Waiting[], device: string | undefined): Waiting[] {
  const out = queue.filter((w) => device === undefined || w.device === device)
  for (const w of out) queue.splice(queue.indexOf(w), 1)
  return out
}

/** 'budget': one FIFO, blocking usage within `high × nslabs`, heads admitted while they fit. */
export class BudgetModel implements ModelPolicy {
  readonly queue: Waiting[] = []
  blockingUsed = 0
  highCount = 0
  readonly lowCount = 0
  constructor(
    readonly host: PolicyHost,
    readonly t: Thresholds,
  ) {}

  get budget(): number {
    return budgetOf(this.t, this.host.nslabs)
  }
  maxSlots(): number {
    return maxBudgetOf(this.t, this.host.maxNslabs)
  }
  submit(w: Waiting): boolean {
    if (this.queue.length === 0 && this.blockingUsed + w.nslots <= this.budget && this.host.feasible(w)) {
      this.blockingUsed += w.nslots
      this.host.grant(w, false)
      return true
    }
    this.highCount++
    this.queue.push(w)
    return false
  }
  drain(): void {
    for (let w = this.queue[0]; w !== undefined; w = this.queue[0]) {
      if (this.blockingUsed + w.nslots > this.budget || !this.host.feasible(w)) return
      this.queue.shift()
      this.blockingUsed += w.nslots
      this.host.grant(w, false)
    }
  }
  release(nslots: number, _device: string, blocking: boolean): void {
    if (blocking) this.blockingUsed -= nslots
    this.drain()
  }
  remove(w: Waiting): void {
    if (without(this.queue, w)) this.drain()
  }
  take(device: string | undefined): Waiting[] {
    return takeFrom(this.queue, device)
  }
  oldest(): Waiting | undefined {
    return this.queue[0]
  }
  waiters(): Waiting[] {
    return this.queue
  }
}

/** 'serialize': Michael Kelley's RFC, a FIFO semaphore of one taken by throttled requests. */
export class SerializeModel implements ModelPolicy {
  readonly queue: Waiting[] = []
  holder: Waiting | undefined = undefined
  held = false
  blockingUsed = 0
  highCount = 0
  lowCount = 0
  readonly budget = 0
  constructor(
    readonly host: PolicyHost,
    readonly t: Thresholds,
  ) {}

  maxSlots(): number {
    return SEGMENT
  }
  submit(w: Waiting): boolean {
    const { nslabs, used } = this.host
    const marks = marksOf(this.t, nslabs)
    let throttle = false
    if (used > marks.high) {
      this.highCount++
      throttle = true
    } else if (this.held && used > marks.low) {
      this.lowCount++
      throttle = true
    }
    if (!throttle && this.host.feasible(w)) {
      this.blockingUsed += w.nslots
      this.host.grant(w, false)
      return true
    }
    this.queue.push(w)
    this.drain()
    return !this.queue.includes(w) && this.holder !== w
  }
  drain(): void {
    if (!this.held) {
      const next = this.queue.shift()
      if (next === undefined) return
      this.held = true
      this.holder = next
    }
    const h = this.holder
    if (h !== undefined && this.host.feasible(h)) {
      this.holder = undefined
      this.blockingUsed += h.nslots
      this.host.grant(h, true)
    }
  }
  release(nslots: number, _device: string, blocking: boolean, throttled: boolean): void {
    if (blocking) this.blockingUsed -= nslots
    if (throttled) this.held = false
    this.drain()
  }
  remove(w: Waiting): void {
    if (this.holder === w) {
      this.holder = undefined
      this.held = false
      this.drain()
      return
    }
    without(this.queue, w)
  }
  take(device: string | undefined): Waiting[] {
    // The holder arrived before everyone still queued; taking it gives the semaphore back.
    const h = this.holder
    const holder = h !== undefined && (device === undefined || h.device === device) ? [h] : []
    if (holder.length > 0) {
      this.holder = undefined
      this.held = false
    }
    return [...holder, ...takeFrom(this.queue, device)]
  }
  oldest(): Waiting | undefined {
    return this.holder ?? this.queue[0]
  }
  waiters(): Waiting[] {
    return this.holder === undefined ? this.queue : [this.holder, ...this.queue]
  }
}

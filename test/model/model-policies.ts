import { SEGMENT } from './model-pools.js'
import type { Waiting } from './model-types.js'

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

/** 'budget': one FIFO, blocking usage within `high × nslabs`, heads admitted while they fit. */
export class BudgetModel implements ModelPolicy {
  readonly queue: Waiting[] = []
  blockingUsed = 0
  highCount = 0
  readonly lowCount = 0
  constructor(
    readonly host: PolicyHost,
    readonly high: number,
  ) {}

  get budget(): number {
    return Math.floor(this.high * this.host.nslabs)
  }
  maxSlots(): number {
    return Math.floor(this.high * this.host.maxNslabs)
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
    readonly high: number,
    readonly low: number,
  ) {}

  maxSlots(): number {
    return SEGMENT
  }
  submit(w: Waiting): boolean {
    const { nslabs, used } = this.host
    let throttle = false
    if (used > this.high * nslabs) {
      this.highCount++
      throttle = true
    } else if (this.held && used > this.low * nslabs) {
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
  oldest(): Waiting | undefined {
    return this.holder ?? this.queue[0]
  }
  waiters(): Waiting[] {
    return this.holder === undefined ? this.queue : [this.holder, ...this.queue]
  }
}

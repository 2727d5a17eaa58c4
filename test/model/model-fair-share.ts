import {
  budgetOf,
  type ModelPolicy,
  maxBudgetOf,
  type PolicyHost,
  type Thresholds,
} from './model-policies.js'
import { SEGMENT } from './model-pools.js'
import type { Oracle, Waiting } from './model-types.js'

const MIN_SHARE = 4 * SEGMENT

interface Device {
  used: number
  readonly queue: Waiting[]
}

/**
 * 'fair-share' (blk-mq hctx_may_queue): one FIFO per device, each active device capped at
 * `max(ceil(budget / active), 4 segments)`. DESIGN fixes the rules but not the round-robin order
 * between devices, so the model lets the real pool pick which device head goes next and checks the
 * pick: it must be a device's head, fit its share, the budget and the slots. After every drain, no
 * head that could be admitted may be left waiting (a lost wakeup).
 */
export class FairShareModel implements ModelPolicy {
  readonly devices = new Map<string, Device>()
  /** Devices with waiters, in the order they started waiting (ties in `oldest`). */
  readonly ring: string[] = []
  /** Per device head within its share: the devices served since (see #turns). */
  readonly #passedBy = new WeakMap<Waiting, Set<string>>()
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
  #device(name: string): Device {
    let d = this.devices.get(name)
    if (d === undefined) {
      d = { used: 0, queue: [] }
      this.devices.set(name, d)
    }
    return d
  }
  #active(): number {
    let n = 0
    for (const d of this.devices.values()) if (d.used > 0 || d.queue.length > 0) n++
    return n
  }
  share(active: number): number {
    return Math.max(Math.ceil(this.budget / Math.max(1, active)), MIN_SHARE)
  }
  /** `w` could be admitted now, as its device's next request. */
  #admissible(w: Waiting, joining: boolean): boolean {
    const d = this.#device(w.device)
    const idle = d.used === 0 && d.queue.length === 0
    const active = this.#active() + (joining && idle ? 1 : 0)
    return (
      this.blockingUsed + w.nslots <= this.budget &&
      d.used + w.nslots <= this.share(active) &&
      this.host.feasible(w)
    )
  }
  #headWaitsForRoom(): boolean {
    const share = this.share(this.#active())
    return this.ring.some((name) => {
      const d = this.devices.get(name)!
      const head = d.queue[0]!
      return d.used + head.nslots <= share && head.nslots <= this.budget
    })
  }
  #admit(w: Waiting, d: Device): void {
    d.used += w.nslots
    this.blockingUsed += w.nslots
    this.host.grant(w, false)
  }

  submit(w: Waiting): boolean {
    const d = this.#device(w.device)
    // api.md rule 5: a newcomer that fits is admitted at once, even while a capped device waits, but
    // not while some device's head within its share waits (for budget or slots); a head larger than
    // the whole budget, which only growth can let in, holds nobody back.
    if (d.queue.length === 0 && this.#admissible(w, true) && !this.#headWaitsForRoom()) {
      this.#admit(w, d)
      return true
    }
    this.highCount++
    d.queue.push(w)
    if (!this.ring.includes(w.device)) this.ring.push(w.device)
    return false
  }

  drain(): void {
    this.#turns(undefined)
    for (;;) {
      const id = this.host.realAdmitsNext()
      const name = this.ring.find((n) => this.devices.get(n)!.queue[0]?.id === id)
      if (id === undefined || name === undefined) break
      const d = this.#device(name)
      const w = d.queue[0]!
      if (!this.#admissible(w, false)) break // an admission the rules forbid: the log comparison reports it
      this.#turns(name)
      d.queue.shift()
      if (d.queue.length === 0) this.ring.splice(this.ring.indexOf(name), 1)
      this.#admit(w, d)
    }
    // api.md rule 5: a head within its share that waits for budget or slots keeps its turn, so others
    // may stay queued behind it (the real pool's cursor says whose turn it is); with no such head, a
    // head that fits must have gone.
    if (this.ring.some((n) => this.#holdsTurn(this.devices.get(n)!.queue[0]!))) return
    for (const name of this.ring) {
      const w = this.devices.get(name)!.queue[0]!
      if (this.#admissible(w, false))
        throw new Error(`lost wakeup: #${w.id} (${w.nslots} slots, ${name}) fits but stays queued`)
    }
  }

  /**
   * Device `admitted` is served from the queues (undefined: a drain begins). Round-robin (api.md rule
   * 5): while a device head stays within its share and the whole budget, each other device goes at
   * most once before it (then it holds the turn, or goes). A head over its share, or larger than the
   * budget, passes its turn on whenever a drain finds it so, and starts counting afresh.
   */
  #turns(admitted: string | undefined): void {
    const share = this.share(this.#active())
    for (const name of this.ring) {
      if (name === admitted) continue
      const d = this.devices.get(name)!
      const h = d.queue[0]!
      if (d.used + h.nslots > share || h.nslots > this.budget) {
        this.#passedBy.delete(h)
        continue
      }
      if (admitted === undefined) continue
      let passed = this.#passedBy.get(h)
      if (passed === undefined) {
        passed = new Set()
        this.#passedBy.set(h, passed)
      }
      if (passed.has(admitted))
        throw new Error(
          `starved: ${admitted} went twice before #${h.id} (${h.nslots} slots, ${name}) had its turn`,
        )
      passed.add(admitted)
    }
  }

  /** A head within its share and the whole budget that cannot go now: it waits for budget or slots. */
  #holdsTurn(w: Waiting): boolean {
    const d = this.#device(w.device)
    return (
      d.used + w.nslots <= this.share(this.#active()) &&
      w.nslots <= this.budget &&
      !this.#admissible(w, false)
    )
  }

  release(nslots: number, device: string, blocking: boolean): void {
    if (blocking) {
      const d = this.#device(device)
      d.used -= nslots
      this.blockingUsed -= nslots
      this.#forget(device)
    }
    this.drain()
  }

  remove(w: Waiting): void {
    const d = this.#device(w.device)
    const wasHead = d.queue[0] === w
    d.queue.splice(d.queue.indexOf(w), 1)
    if (d.queue.length === 0) this.ring.splice(this.ring.indexOf(w.device), 1)
    this.#forget(w.device)
    if (wasHead) this.drain()
  }

  /**
   * Device by device, each in FIFO order. Which device goes first is the real pool's choice (api.md
   * fixes only "device by device"), so the model takes the devices in the ring's order here and lets
   * `Model.cancel` reorder the groups after the real log.
   */
  take(device: string | undefined): Waiting[] {
    const names = device === undefined ? [...this.ring] : this.ring.filter((n) => n === device)
    const out: Waiting[] = []
    for (const name of names) {
      const d = this.devices.get(name)!
      out.push(...d.queue.splice(0))
      this.ring.splice(this.ring.indexOf(name), 1)
      this.#forget(name)
    }
    return out
  }

  #forget(name: string): void {
    const d = this.devices.get(name)
    if (d !== undefined && d.used === 0 && d.queue.length === 0) this.devices.delete(name)
  }

  oldest(): Waiting | undefined {
    let oldest: Waiting | undefined
    for (const name of this.ring) {
      const h = this.devices.get(name)!.queue[0]!
      if (oldest === undefined || h.enqueuedAt < oldest.enqueuedAt) oldest = h
    }
    return oldest
  }

  waiters(): Waiting[] {
    return this.ring.flatMap((n) => this.devices.get(n)!.queue)
  }
}

/**
 * cancelWaiting's order under 'fair-share': device by device, FIFO within a device (api.md). The
 * device order is the real pool's: each group goes where the real log (from `from`) puts its first
 * waiter. A group the real log does not start goes last, and the log comparison reports it.
 */
export function inRealOrder(gone: Waiting[], oracle: Oracle, from: number): Waiting[] {
  const groups = new Map<string, Waiting[]>()
  for (const w of gone) {
    const g = groups.get(w.device)
    if (g === undefined) groups.set(w.device, [w])
    else g.push(w)
  }
  const out: Waiting[] = []
  while (groups.size > 0) {
    const id = Number(/:(\d+)@/.exec(oracle.entry(from + out.length) ?? '')?.[1])
    const first = gone.find((w) => w.id === id)
    const g = first === undefined ? undefined : groups.get(first.device)
    if (g === undefined || g[0] !== first) break
    out.push(...g)
    groups.delete(first!.device)
  }
  for (const g of groups.values()) out.push(...g)
  return out
}

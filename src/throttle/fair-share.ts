import { SEGMENT_SLOTS } from '../allocator/layout.js'
import { BudgetedPolicy } from './budgeted.js'
import type { Admitted } from './policy.js'
import { type Waiter, WaitQueue } from './wait-queue.js'

/** The smallest share of an active device: 4 segments (hctx_may_queue's floor of 4 tags). */
const MIN_SHARE_SLOTS = 4 * SEGMENT_SLOTS

class DeviceState {
  readonly queue = new WaitQueue()
  used = 0
  /** True while in the round-robin ring of devices with waiters. */
  inRing = false
  constructor(readonly name: string) {}
}

/**
 * blk-mq's hctx_may_queue over the budget: one FIFO per device, device heads admitted round-robin,
 * and each active device (holding blocking slots or waiting) capped at
 * `max(ceil(budget / activeDevices), 4 segments)`. A slow device cannot hold a fast one hostage
 * (the Snail/Cheetah case); within a device, order is strictly FIFO.
 */
export class FairSharePolicy extends BudgetedPolicy {
  readonly mode = 'fair-share'
  readonly #devices = new Map<string, DeviceState>()
  /** Devices with waiters, in round-robin order; `#cursor` is the next to serve. */
  readonly #ring: DeviceState[] = []
  /** The same devices in the order they started waiting: `oldest` breaks ties of time by it. */
  readonly #joined: DeviceState[] = []
  #cursor = 0
  #active = 0

  /** The cap of each active device now. */
  share(): number {
    return Math.max(Math.ceil(this.budget() / Math.max(1, this.#active)), MIN_SHARE_SLOTS)
  }

  #state(device: string): DeviceState {
    let s = this.#devices.get(device)
    if (s === undefined) {
      s = new DeviceState(device)
      this.#devices.set(device, s)
    }
    return s
  }

  /** Devices with an entry: each holds blocking slots or has waiters (none is kept for a refusal). */
  get trackedDevices(): number {
    return this.#devices.size
  }

  /** Whether a device holding `used` slots with nothing queued may take `nslots` more now. */
  #fits(used: number, nslots: number): boolean {
    if (this.blockingUsed + nslots > this.budget()) return false
    // A device that is not active yet becomes active with this request.
    const active = used === 0 ? this.#active + 1 : this.#active
    const share = Math.max(Math.ceil(this.budget() / Math.max(1, active)), MIN_SHARE_SLOTS)
    return used + nslots <= share
  }

  fastPath(nslots: number, device: string): boolean {
    if (this.waiting !== 0 && this.#headWaitsForRoom()) return false
    // Only reads: an entry is made when a request is admitted or queued, never for one refused later.
    const s = this.#devices.get(device)
    if (s === undefined) return this.#fits(0, nslots)
    return s.queue.length === 0 && this.#fits(s.used, nslots)
  }

  override admitted(nslots: number, device: string): void {
    const s = this.#state(device)
    if (s.used === 0 && s.queue.length === 0) this.#active++
    s.used += nslots
    super.admitted(nslots, device)
  }

  protected enqueue(w: Waiter): void {
    const s = this.#state(w.device)
    if (s.used === 0 && s.queue.length === 0) this.#active++
    s.queue.push(w)
    if (!s.inRing) {
      s.inRing = true
      this.#joinRing(s)
    }
  }

  /**
   * A device that starts waiting takes the last turn of the round under way: it goes in just before
   * the cursor, so that every device already waiting is served before it. Appended at the end of the
   * array it could come straight after the cursor, and a device that left the ring on its admission
   * and came back would go again before the heads it had just passed.
   */
  #joinRing(s: DeviceState): void {
    const ring = this.#ring
    if (this.#cursor >= ring.length) this.#cursor = 0
    ring.splice(this.#cursor, 0, s)
    if (ring.length > 1) this.#cursor++
    this.#joined.push(s)
  }

  override release(m: Admitted): void {
    const s = this.#state(m.device)
    s.used -= m.slots
    this.#settle(s)
    super.release(m)
  }

  /** A device with nothing held and nothing waiting stops being active. */
  #settle(s: DeviceState): void {
    if (s.used === 0 && s.queue.length === 0) {
      this.#active--
      this.#devices.delete(s.name)
    }
  }

  /**
   * True when a device head within its share waits: then only the budget or the slots hold it, and a
   * newcomer from another device must not pass it (rule 5). Worked out from the queues as they are
   * now, so that it holds from the moment a head joins and stops when it leaves, whatever drained
   * last. A head larger than the whole budget waits for growth: holding others back for it could hang
   * them on an idle pool. O(devices with waiters).
   */
  #headWaitsForRoom(): boolean {
    const share = this.share()
    const budget = this.budget()
    for (const s of this.#ring) {
      const w = s.queue.head!
      if (s.used + w.nslots <= share && w.nslots <= budget) return true
    }
    return false
  }

  /**
   * Serves device heads round-robin from the cursor: a head within its device's share, the budget
   * and the slots goes. A head within its share that waits for budget or slots keeps its turn: nobody
   * behind it in the ring goes until it is admitted or leaves (rule 5), or a busy device that keeps
   * refilling its share would take every release before it for ever. A capped head, or one larger
   * than the whole budget (only growth can let it in), passes its turn on. False when nobody went.
   */
  protected put(): boolean {
    const ring = this.#ring
    for (let idle = 0; idle < ring.length; idle++) {
      if (this.#cursor >= ring.length) this.#cursor = 0
      const s = ring[this.#cursor]!
      const w = s.queue.head!
      if (s.used + w.nslots <= this.share()) {
        if (this.handOff(w, s.queue)) {
          const refused = w.refused === true
          if (!refused) s.used += w.nslots
          if (s.queue.length === 0) this.#leaveRing(s)
          else this.#cursor++
          if (refused) this.#settle(s)
          return true
        }
        if (w.nslots <= this.budget()) return false
      }
      this.#cursor++
    }
    return false
  }

  #leaveRing(s: DeviceState): void {
    const at = this.#ring.indexOf(s)
    if (at < 0) return
    this.#ring.splice(at, 1)
    this.#joined.splice(this.#joined.indexOf(s), 1)
    s.inRing = false
    if (this.#cursor > at) this.#cursor--
  }

  remove(w: Waiter, admitNext = true): boolean {
    const s = this.#devices.get(w.device)
    if (s === undefined || w.queue !== s.queue) return false
    const wasHead = this.unqueue(w, s.queue)
    if (s.queue.length === 0) this.#leaveRing(s)
    this.#settle(s)
    if (wasHead && admitNext) this.drain()
    return wasHead
  }

  takeWaiting(device: string | undefined): Waiter[] {
    const out: Waiter[] = []
    const states = device === undefined ? [...this.#joined] : [this.#devices.get(device)]
    for (const s of states) {
      if (s === undefined || s.queue.length === 0) continue
      this.takeFrom(s.queue, undefined, out)
      this.#leaveRing(s)
      this.#settle(s)
    }
    return out
  }

  /** The waiter that has waited longest: the oldest device head (of equal times, the first to wait). */
  oldest(): Waiter | undefined {
    let oldest: Waiter | undefined
    for (const s of this.#joined) {
      const h = s.queue.head
      if (h !== undefined && (oldest === undefined || h.enqueuedAt < oldest.enqueuedAt)) oldest = h
    }
    return oldest
  }
}

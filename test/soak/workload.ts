import { type Mapping, Swiotlb, type SwiotlbOptions, VirtualClock } from '../../src/index.js'

/** mulberry32: a small seeded PRNG, so that a soak run can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Counts {
  ops: number
  maps: number
  blocking: number
  unmaps: number
  aborts: number
  full: number
  timeouts: number
}

/**
 * A pool on virtual time under a random mix of non-blocking and blocking maps (some with timeouts or
 * signals), unmaps by object and by address, aborts and clock advances, with growth and shrink on.
 */
export class Workload {
  readonly clock = new VirtualClock()
  readonly dma: Swiotlb
  readonly #live: Mapping[] = []
  readonly #controllers: AbortController[] = []
  readonly #random: () => number
  readonly #backing: boolean
  #pending = 0
  readonly counts: Counts = { ops: 0, maps: 0, blocking: 0, unmaps: 0, aborts: 0, full: 0, timeouts: 0 }
  readonly #onMapped = (m: Mapping) => {
    this.#pending--
    this.#live.push(m)
  }
  readonly #onRejected = (e: unknown) => {
    this.#pending--
    if ((e as Error).name === 'TimeoutError') this.counts.timeouts++
  }

  constructor(seed: number, options: Omit<SwiotlbOptions, 'clock'>) {
    this.#random = rng(seed)
    this.#backing = options.backing !== false
    this.dma = new Swiotlb({ ...options, clock: this.clock })
  }

  #size(): number {
    const r = this.#random()
    return r < 0.6 ? 1 + Math.floor(r * 6000) : r < 0.95 ? 4096 + Math.floor(r * 60_000) : 128 * 1024
  }

  #buffer(size: number): Uint8Array | number {
    return this.#backing ? new Uint8Array(size) : size
  }

  get liveCount(): number {
    return this.#live.length
  }

  /** Runs `n` operations; awaits the clock only when it advances. */
  async run(n: number): Promise<void> {
    const live = this.#live
    for (let i = 0; i < n; i++) {
      this.counts.ops++
      const r = this.#random()
      // Unique device names now and then: per-device state must not outlive the device's requests.
      const device = r < 0.01 ? `once-${this.counts.ops}` : `dev${Math.floor(r * 8)}`
      if (live.length > 200 || (r < 0.35 && live.length > 0)) {
        const at = Math.floor(this.#random() * live.length)
        const m = live[at]!
        live[at] = live[live.length - 1]!
        live.pop()
        if (r < 0.1) this.dma.unmap(m.addr)
        else m.unmap()
        this.counts.unmaps++
      } else if (r < 0.6) {
        const m = this.dma.tryMap(this.#buffer(this.#size()), { device, dir: 'to-device' })
        if (m === undefined) this.counts.full++
        else {
          live.push(m)
          this.counts.maps++
        }
      } else if (r < 0.95) {
        this.counts.blocking++
        this.#pending++
        const options: { mayBlock: true; device: string; timeoutMs?: number; signal?: AbortSignal } = {
          mayBlock: true,
          device,
        }
        if (r < 0.75) options.timeoutMs = 1 + Math.floor(this.#random() * 10)
        else if (r < 0.8) {
          const c = new AbortController()
          this.#controllers.push(c)
          options.signal = c.signal
        }
        this.dma.map(this.#buffer(this.#size()), options).then(this.#onMapped, this.#onRejected)
      } else if (r < 0.97 && this.#controllers.length > 0) {
        this.#controllers.pop()!.abort()
        this.counts.aborts++
      } else {
        await this.clock.advanceBy(Math.floor(this.#random() * 3))
        if (this.#controllers.length > 50) this.#controllers.splice(0, 25)
      }
    }
  }

  /** Unmaps everything, aborts and times out every waiter, lets growth and shrink timers run out. */
  async drain(): Promise<void> {
    // Serialize admits one throttled waiter per unmap, so a long queue takes a round per waiter.
    for (let round = 0; round < 1_000_000 && (this.#live.length > 0 || this.#pending > 0); round++) {
      const unmapped = this.#live.length
      for (const m of this.#live) m.unmap()
      this.#live.length = 0
      for (const c of this.#controllers) c.abort()
      this.#controllers.length = 0
      await this.clock.advanceBy(unmapped > 0 ? 0 : 5)
    }
    // Not runAll(): a usage$ sampler re-arms for ever. Every other timer is due within 100 ms.
    await this.clock.advanceBy(100)
  }
}

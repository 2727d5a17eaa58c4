import { SLOT_SIZE, type Swiotlb } from '../index.js'

/**
 * Follows the bytes of all pools from `events$`: grows and shrinks, and transient pools from their
 * 'transient' event (the next 'map' event is their one mapping) to that mapping's unmap. Keeps the peak.
 * It also keeps the high-water mark of slots in use the way the kernel's debugfs counts it: transient
 * pools included (their search goes through inc_used_and_hiwater like any other), where the
 * library's `stats().hiwater` counts default and dynamic pools only.
 * Only worth its cost for policies that grow: events$ makes every map and unmap emit an event.
 */
export class PoolBytesTracker {
  readonly initial: number
  peak: number
  /** Slots in use in all pools, transient ones included, and their highest value. */
  #used: number
  hiwater: number
  #total: number
  #pendingTransient = 0
  readonly #transientByAddr = new Map<number, number>()
  readonly #stop: () => void

  constructor(dma: Swiotlb) {
    const s = dma.stats()
    this.initial = s.nslabs * SLOT_SIZE
    this.#total = (s.nslabs + s.transientNslabs) * SLOT_SIZE
    this.peak = this.#total
    this.#used = s.used + s.transientNslabs
    this.hiwater = Math.max(s.hiwater, this.#used)
    const sub = dma.events$.subscribe((e) => {
      switch (e.type) {
        case 'grow':
          this.#add(e.bytes)
          break
        case 'shrink':
          this.#total -= e.bytes
          break
        case 'transient':
          this.#add(e.bytes)
          this.#pendingTransient = e.bytes
          break
        case 'map':
          this.#used += e.slots
          if (this.#used > this.hiwater) this.hiwater = this.#used
          if (this.#pendingTransient !== 0) {
            this.#transientByAddr.set(e.addr, this.#pendingTransient)
            this.#pendingTransient = 0
          }
          break
        case 'unmap': {
          this.#used -= e.slots
          const bytes = this.#transientByAddr.get(e.addr)
          if (bytes !== undefined) {
            this.#transientByAddr.delete(e.addr)
            this.#total -= bytes
          }
          break
        }
      }
    })
    this.#stop = () => sub.unsubscribe()
  }

  #add(bytes: number): void {
    this.#total += bytes
    if (this.#total > this.peak) this.peak = this.#total
  }

  stop(): void {
    this.#stop()
  }
}

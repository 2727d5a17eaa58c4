import { SLOT_SIZE, type Swiotlb } from '../index.js'

/**
 * Follows the bytes of all pools from `events$`: grows and shrinks, and transient pools from their
 * 'transient' event (the next 'map' event is their one mapping) to that mapping's unmap. Keeps the peak.
 * Only worth its cost for policies that grow: events$ makes every map and unmap emit an event.
 */
export class PoolBytesTracker {
  readonly initial: number
  peak: number
  #total: number
  #pendingTransient = 0
  readonly #transientByAddr = new Map<number, number>()
  readonly #stop: () => void

  constructor(dma: Swiotlb) {
    const s = dma.stats()
    this.initial = s.nslabs * SLOT_SIZE
    this.#total = (s.nslabs + s.transientNslabs) * SLOT_SIZE
    this.peak = this.#total
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
          if (this.#pendingTransient !== 0) {
            this.#transientByAddr.set(e.addr, this.#pendingTransient)
            this.#pendingTransient = 0
          }
          break
        case 'unmap': {
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

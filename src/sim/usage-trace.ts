import type { Swiotlb } from '../index.js'

/**
 * Pool usage after every change, in slots: the exact curve a sampler reads from. Built from the pool's
 * `map` and `unmap` events, so that it sees every peak, however short (the exact high-water mark is
 * its maximum).
 */
export class UsageTrace {
  /** Time of each change, ms, ascending. */
  readonly atMs: number[] = [0]
  /** Slots in use after each change. */
  readonly used: number[] = [0]
  #unsubscribe: (() => void) | undefined

  /** Starts recording `dma`'s usage (from zero: call it before the first map). */
  constructor(dma: Swiotlb) {
    let used = 0
    const sub = dma.events$.subscribe((e) => {
      if (e.type === 'map') used += e.slots
      else if (e.type === 'unmap') used -= e.slots
      else return
      this.atMs.push(e.at)
      this.used.push(used)
    })
    this.#unsubscribe = () => sub.unsubscribe()
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
  }

  /** The largest usage ever, slots. */
  max(): number {
    let max = 0
    for (const u of this.used) if (u > max) max = u
    return max
  }

  /**
   * The largest usage a sampler reads that looks every `intervalMs` from `phaseMs` on (phase, phase +
   * interval, … up to `endMs`). A read at time t sees every change made before t; a change at the
   * same instant comes after it, as with the simulator's own sampler, whose timer was set first.
   */
  sampledMax(intervalMs: number, phaseMs: number, endMs: number): number {
    const { atMs, used } = this
    let i = 0
    let max = 0
    // Whole multiples, not a running sum, so that float error does not drift over 10,000 samples.
    for (let k = 0; ; k++) {
      const t = phaseMs + k * intervalMs
      if (t > endMs) break
      while (i + 1 < atMs.length && atMs[i + 1]! < t) i++
      if (used[i]! > max) max = used[i]!
    }
    return max
  }
}

/**
 * A device's link: transfers cross it one after another at `bandwidth` bytes/s, in the order they are
 * booked. Whatever the device does inside, it never moves more than its link's bandwidth.
 */
export class Link {
  /** Tick (fractional µs) at which the link is free again. */
  #freeAt = 0
  readonly #bytesPerTick: number

  constructor(bandwidth: number) {
    this.#bytesPerTick = bandwidth / 1e6
  }

  /** Books a transfer of `bytes` that is ready at `readyTick`; returns the (fractional) tick it ends. */
  transfer(readyTick: number, bytes: number): number {
    const start = this.#freeAt > readyTick ? this.#freeAt : readyTick
    this.#freeAt = start + bytes / this.#bytesPerTick
    return this.#freeAt
  }
}

import { MinimalLimiter } from './reference.js'

/**
 * The minimal FIFO limiter (reference.ts) dressed as the part of the library `npm run ab` drives for
 * its one-call workloads (`cb`, `weighted`): `withMapping(bytes, true, fn)` is `run(slots, fn)`, with
 * the same budget in slots as the workload's pool. `npm run ab -- src limiter cb` then prices the
 * library against the least a fair weighted FIFO can do, in the same harness and processes.
 */
export const SLOT_SIZE = 2048

export class Swiotlb {
  readonly #limiter: MinimalLimiter

  constructor(options: { size: string; throttle: { high: number } }) {
    const slots = options.size === '256K' ? 128 : options.size === '2M' ? 1024 : Number.NaN
    if (Number.isNaN(slots)) throw new RangeError(`limiter: no budget for size ${options.size}`)
    this.#limiter = new MinimalLimiter(Math.floor(options.throttle.high * slots))
  }

  withMapping<R>(bytes: number, _mayBlock: true, fn: () => Promise<R>): Promise<R> {
    return this.#limiter.run(Math.ceil(bytes / SLOT_SIZE), fn)
  }
}

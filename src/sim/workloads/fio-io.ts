import { Io, type IoOwner } from '../io.js'
import type { Rng } from '../rng.js'
import type { IoDirection, Sizes } from './fio-job-spec.js'

/** A block I/O of a fio job: its direction, the bytes fio counts, and when it was dispatched. */
export class FioIo extends Io {
  /** Clock time the device took it (submit resolved), ms. */
  dispatchedAt = Number.NaN
  constructor(
    readonly dir: IoDirection,
    /** Bytes fio counts (a trim counts its range, not the few bytes it maps). */
    readonly ioBytes: number,
    dmaBytes: number,
    cpu: number,
    issuedAt: number,
    owner: IoOwner,
    /** Issued after ramp_time: counted in the statistics. */
    readonly counted: boolean,
    /** A verify read-back. */
    readonly verify: boolean,
  ) {
    super(dmaBytes, dir === 'read', cpu, issuedAt, owner)
  }
}

/** Draws sizes from a distribution; one size never draws (the RNG stream stays the same). */
export class SizeDraw {
  readonly #sizes: number[]
  readonly #cumulative: number[]

  constructor(sizes: Sizes) {
    const total = sizes.reduce((sum, e) => sum + e.weight, 0)
    let acc = 0
    this.#sizes = sizes.map((e) => e.bytes)
    this.#cumulative = sizes.map((e) => {
      acc += e.weight / total
      return acc
    })
  }

  next(rng: Rng): number {
    const sizes = this.#sizes
    if (sizes.length === 1) return sizes[0]!
    const u = rng.next()
    for (let i = 0; i < sizes.length - 1; i++) if (u < this.#cumulative[i]!) return sizes[i]!
    return sizes[sizes.length - 1]!
  }

  get min(): number {
    return Math.min(...this.#sizes)
  }

  /** The largest size not above `bytes` (undefined if none). */
  largestUpTo(bytes: number): number | undefined {
    let best: number | undefined
    for (const s of this.#sizes) if (s <= bytes && (best === undefined || s > best)) best = s
    return best
  }

  get mean(): number {
    let prev = 0
    let sum = 0
    this.#sizes.forEach((b, i) => {
      sum += b * (this.#cumulative[i]! - prev)
      prev = this.#cumulative[i]!
    })
    return sum
  }
}

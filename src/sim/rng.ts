/**
 * A seeded pseudo-random generator (sfc32, seeded through splitmix32). Same seed and stream, same
 * sequence, on every platform: all arithmetic is 32-bit integer math.
 *
 * Each source of randomness in a run (a job clone, a device) draws from its own stream, so a policy
 * that consumes more numbers in one place does not shift the workload of another: every policy sees
 * the same I/O sizes and the same service-time jitter (common random numbers).
 */
export class Rng {
  #a: number
  #b: number
  #c: number
  #d: number

  constructor(seed: number, stream = 0) {
    let s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.#a = next()
    this.#b = next()
    this.#c = next()
    this.#d = next()
    for (let i = 0; i < 12; i++) this.#u32()
  }

  #u32(): number {
    const a = this.#a
    const b = this.#b
    const c = this.#c
    const d = this.#d
    const t = (((a + b) | 0) + d) | 0
    this.#d = (d + 1) | 0
    this.#a = b ^ (b >>> 9)
    this.#b = (c + (c << 3)) | 0
    this.#c = ((c << 21) | (c >>> 11)) + t
    this.#c |= 0
    return t >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    return this.#u32() / 4294967296
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next()
  }
}

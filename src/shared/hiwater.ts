import {
  A_DELTA,
  A_HIWATER,
  A_USED,
  areaAt,
  BATCHED_COUNT,
  BATCHED_HIWATER,
  EXACT_HIWATER,
  EXACT_USED,
  MODE_BATCHED,
  MODE_EXACT,
  MODE_PER_AREA,
  MODE_SAMPLED,
  SAMPLED_HIWATER,
} from './layout.js'

/**
 * The five ways of tracking the high-water mark, side by side on one map path. Every mode keeps each
 * area's `used` under the area lock, as the kernel does (io_tlb_area.used); what differs is what else a
 * map and an unmap write, and where:
 *
 * - `off`: nothing more (the kernel without CONFIG_DEBUG_FS).
 * - `exact`: one global atomic add per map and unmap, and a compare-exchange loop for the mark, after
 *   the area lock is dropped: inc_used_and_hiwater / dec_used of kernel/dma/swiotlb.c (2023).
 * - `per-area`: each area's own mark, under its lock, in its own cache line; read as the sum of the
 *   marks (the June 2026 patch). Never below the real peak; far above it when areas peak apart.
 * - `batched`: each area accumulates a delta under its lock and adds it to one global count only when
 *   it reaches ±batch; the mark follows the global count. lib/percpu_counter.c's
 *   percpu_counter_add_batch, with the area as the CPU: the global count is within areas × (batch − 1)
 *   of the real `used` at every moment, so the mark is within that of the real peak.
 * - `sampled`: nothing on the map path; a reader adds up the areas' `used` at an interval and keeps
 *   the largest sum (see SharedSwiotlb's sampler). Misses spikes shorter than the interval.
 */
export class HiwaterCounter {
  constructor(
    private readonly meta: Int32Array,
    readonly mode: number,
    readonly batch: number,
    readonly nareas: number,
  ) {}

  /** Inside area `a`'s lock, after its `used` grew by `n` to `used`. */
  mappedLocked(at: number, n: number, used: number): void {
    const meta = this.meta
    if (this.mode === MODE_PER_AREA) {
      if (used > meta[at + A_HIWATER]!) meta[at + A_HIWATER] = used
    } else if (this.mode === MODE_BATCHED) {
      this.#addBatch(at, n)
    }
  }

  /** Inside area `a`'s lock, after its `used` shrank by `n`. */
  unmappedLocked(at: number, n: number): void {
    if (this.mode === MODE_BATCHED) this.#addBatch(at, -n)
  }

  /** After the area lock is dropped (where the kernel calls inc_used_and_hiwater). */
  mapped(n: number): void {
    if (this.mode !== MODE_EXACT) return
    const meta = this.meta
    const used = Atomics.add(meta, EXACT_USED, n) + n
    raise(meta, EXACT_HIWATER, used)
  }

  /** After the area lock is dropped (dec_used). */
  unmapped(n: number): void {
    if (this.mode === MODE_EXACT) Atomics.sub(this.meta, EXACT_USED, n)
  }

  /** percpu_counter_add_batch: the area's delta, flushed to the global count at ±batch. */
  #addBatch(at: number, amount: number): void {
    const meta = this.meta
    const count = meta[at + A_DELTA]! + amount
    if (count >= this.batch || count <= -this.batch) {
      const global = Atomics.add(meta, BATCHED_COUNT, count) + count
      meta[at + A_DELTA] = 0
      raise(meta, BATCHED_HIWATER, global)
    } else {
      meta[at + A_DELTA] = count
    }
  }

  /** The mark this mode reports, or undefined for `off`. */
  read(): number | undefined {
    const meta = this.meta
    switch (this.mode) {
      case MODE_EXACT:
        return Atomics.load(meta, EXACT_HIWATER)
      case MODE_PER_AREA: {
        let sum = 0
        for (let a = 0; a < this.nareas; a++) sum += Atomics.load(meta, areaAt(a) + A_HIWATER)
        return sum
      }
      case MODE_BATCHED:
        return Atomics.load(meta, BATCHED_HIWATER)
      case MODE_SAMPLED:
        return Atomics.load(meta, SAMPLED_HIWATER)
      default:
        return undefined
    }
  }

  /** The largest error this mode's mark can have, in slots, if it has a bound (batched only). */
  bound(): number | undefined {
    if (this.mode === MODE_EXACT) return 0
    return this.mode === MODE_BATCHED ? this.nareas * (this.batch - 1) : undefined
  }

  /** One reading of the sampler: the sum of the areas' `used`, read one by one without locks. */
  sample(): number {
    const meta = this.meta
    let sum = 0
    for (let a = 0; a < this.nareas; a++) sum += Atomics.load(meta, areaAt(a) + A_USED)
    raise(meta, SAMPLED_HIWATER, sum)
    return sum
  }
}

/** Raises the word at `at` to `value` if it is below: the compare-exchange loop of the kernel. */
export function raise(meta: Int32Array, at: number, value: number): void {
  let old = Atomics.load(meta, at)
  while (value > old) {
    const seen = Atomics.compareExchange(meta, at, old, value)
    if (seen === old) return
    old = seen
  }
}

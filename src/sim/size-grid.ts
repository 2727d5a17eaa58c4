import { ArgumentRangeError } from '../errors.js'
import { SEGMENT_SLOTS, SLOT_SIZE } from '../index.js'

/** One pool size the search may try: whole segments in every area. */
export interface PoolCandidate {
  bytes: number
  areas: number
}

const SEGMENT_BYTES = SEGMENT_SLOTS * SLOT_SIZE

/**
 * The pool sizes `size` tries, smallest first: whole segments per area, as the kernel lays a pool out
 * (area_nslabs = nslabs / nareas, and a segment never spans two areas). With `areas` areas that is
 * every multiple of `areas` segments (4 MiB steps for 16 areas); below one segment per area, the
 * kernel's limit_nareas gives a pool of 1, 2, 4 … segments one area each, and so do we.
 *
 *     index:   0      1      2      3    | 4       5       6       …   (areas = 16)
 *     size:  256K   512K    1M     2M   | 4M      8M      12M     …   (16 areas from here on)
 *     areas:   1      2      4      8    | 16      16      16
 */
export class PoolGrid {
  readonly areas: number
  /** Candidates below one segment per area (index < small). */
  readonly #small: number
  readonly length: number

  constructor(areas: number, limitBytes: number) {
    if (!Number.isSafeInteger(areas) || areas < 1 || (areas & (areas - 1)) !== 0) {
      throw new ArgumentRangeError('areas', 'a power of two', areas)
    }
    if (
      !(typeof limitBytes === 'number' && limitBytes >= SEGMENT_BYTES && Number.isSafeInteger(limitBytes))
    ) {
      throw new ArgumentRangeError('limitBytes', 'at least one segment (256 KiB), in whole bytes', limitBytes)
    }
    this.areas = areas
    let small = 0
    while (2 ** small < areas && 2 ** small * SEGMENT_BYTES <= limitBytes) small++
    this.#small = small
    this.length = small + Math.floor(limitBytes / (areas * SEGMENT_BYTES))
  }

  at(index: number): PoolCandidate {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`Expected a candidate index in [0, ${this.length - 1}], got ${index}`)
    }
    if (index < this.#small) return { bytes: 2 ** index * SEGMENT_BYTES, areas: 2 ** index }
    return { bytes: (index - this.#small + 1) * this.areas * SEGMENT_BYTES, areas: this.areas }
  }

  /** The index of the smallest candidate of at least `bytes`; `length` when none. */
  indexAtLeast(bytes: number): number {
    for (let i = 0; i < this.#small; i++) if (this.at(i).bytes >= bytes) return i
    const m = Math.max(1, Math.ceil(bytes / (this.areas * SEGMENT_BYTES)))
    return Math.min(this.length, this.#small + m - 1)
  }

  /**
   * The coarse scan: the candidates whose size is a power of two, smallest first (256 KiB, 512 KiB,
   * … 4 MiB, 8 MiB, 16 MiB, …): the sizes a mainline kernel can boot with (see boot-param.ts); and the
   * largest candidate, the limit, where it is not one (a 100 MiB limit ends 64 MiB, 100 MiB), so that
   * the scan reaches every size the grid claims to cover.
   */
  coarse(): number[] {
    const out: number[] = []
    for (let i = 0; i < this.length; i++) {
      const segments = this.at(i).bytes / SEGMENT_BYTES
      if ((segments & (segments - 1)) === 0 || i === this.length - 1) out.push(i)
    }
    return out
  }
}

import type { Rng } from '../rng.js'
import { SizeDraw } from './fio-io.js'
import type { FioJobSpec, IoDirection } from './fio-job-spec.js'
import type { ReadBack } from './read-back.js'

const DIRS: readonly IoDirection[] = ['read', 'write', 'trim']

/** The next I/O: its direction, the direction it counts as (verify_only), its size, a read-back. */
export interface Pick {
  dir: IoDirection
  as: IoDirection
  size: number
  verify: boolean
}

/**
 * What a fio clone issues next (io_u.c get_rw_ddir, get_next_buflen): a backlog read-back, the write
 * that follows trimwrite's trim, or a direction drawn by rwmixread with a size drawn from that
 * direction's distribution. The clone's one random stream draws the direction only for mixed jobs
 * and the size only for several sizes.
 */
export class IoPicker {
  readonly draw: Record<IoDirection, SizeDraw>
  #trimmed: number | undefined = undefined

  constructor(
    private readonly f: FioJobSpec,
    private readonly rng: Rng,
    private readonly readBack: ReadBack,
  ) {
    this.draw = {
      read: new SizeDraw(f.sizes.read),
      write: new SizeDraw(f.sizes.write),
      trim: new SizeDraw(f.sizes.trim),
    }
  }

  next(): Pick {
    const f = this.f
    const back = this.readBack.nextBacklog()
    if (back !== undefined) return { dir: 'read', as: 'read', size: back, verify: true }
    if (f.trimThenWrite) {
      if (this.#trimmed !== undefined) {
        const size = this.#trimmed
        this.#trimmed = undefined
        return { dir: 'write', as: 'write', size, verify: false }
      }
      this.#trimmed = this.draw.trim.next(this.rng)
      return { dir: 'trim', as: 'trim', size: this.#trimmed, verify: false }
    }
    let dir: IoDirection = DIRS.find((d) => f.mix[d] === 100) ?? 'read'
    if (f.mix.read > 0 && f.mix.write > 0) dir = this.rng.next() * 100 < f.mix.read ? 'read' : 'write'
    const size = this.draw[dir].next(this.rng)
    // verify_only: the writes are not issued, only read back (HOWTO `verify_only`); they still count as
    // the job's writes toward its size ("phantom writes").
    if (dir === 'write' && f.verify?.only === true) return { dir: 'read', as: 'write', size, verify: false }
    return { dir, as: dir, size, verify: false }
  }

  /** A pick in `dir` instead (the rate control handed over to the other direction). */
  other(dir: IoDirection): Pick {
    return { dir, as: dir, size: this.draw[dir].next(this.rng), verify: false }
  }

  /** trimwrite writes the size the trim had; a trim resized to fit must say so. */
  resized(pick: Pick, size: number): void {
    if (this.f.trimThenWrite && pick.as === 'trim') this.#trimmed = size
  }

  /** The directions whose bytes count toward size (backend.c io_bytes_exceeded). */
  countsBytes(dir: IoDirection): boolean {
    const mix = this.f.mix
    const writes = mix.write > 0 || this.f.trimThenWrite
    if (mix.read > 0 && writes) return dir !== 'trim'
    if (writes) return dir === 'write'
    if (mix.read > 0) return dir === 'read'
    return dir === 'trim'
  }

  /** `size` if it fits in `left` bytes, else another draw that does, else the largest size that does. */
  fit(dir: IoDirection, size: number, left: number): number | undefined {
    if (size <= left) return size
    const draw = this.draw[dir]
    if (draw.min > left) return undefined
    for (let i = 0; i < 64; i++) {
      const again = draw.next(this.rng)
      if (again <= left) return again
    }
    return draw.largestUpTo(left)
  }
}

import { FioValueError } from './problems.js'

/** fio's rw= modes (HOWTO `readwrite`), by the directions they issue. */
export type FioRw =
  | 'read'
  | 'write'
  | 'trim'
  | 'randread'
  | 'randwrite'
  | 'randtrim'
  | 'rw'
  | 'randrw'
  | 'trimwrite'
  | 'randtrimwrite'

export interface RwMode {
  rw: FioRw
  reads: boolean
  writes: boolean
  trims: boolean
  random: boolean
  /** trimwrite: each block is trimmed, then written (as many trims as writes). */
  trimThenWrite: boolean
}

const MODES: Record<string, FioRw> = {
  read: 'read',
  write: 'write',
  trim: 'trim',
  randread: 'randread',
  randwrite: 'randwrite',
  randtrim: 'randtrim',
  rw: 'rw',
  readwrite: 'rw',
  randrw: 'randrw',
  trimwrite: 'trimwrite',
  randtrimwrite: 'randtrimwrite',
}

/**
 * `rw=randread`, `rw=read:8k`, `rw=randread:8`: the `:N` suffix changes offsets only (holes between
 * sequential I/Os, or I/Os per random offset), which the bounce pool does not see; it must still be
 * a number as fio reads it.
 */
export function parseRw(text: string): { mode: RwMode; offsetSuffix: string | undefined } {
  const [name, suffix, extra] = text.trim().split(':')
  const key = (name ?? '').trim()
  // Own keys only: `rw=valueOf` or `rw=constructor` must not find Object.prototype's.
  const rw = Object.hasOwn(MODES, key) ? MODES[key] : undefined
  if (rw === undefined || extra !== undefined) {
    throw new FioValueError(`one of ${Object.keys(MODES).join(', ')}`)
  }
  if (suffix !== undefined && !/^\s*-?\d+[a-z]*\s*$/i.test(suffix)) {
    throw new FioValueError('a mode with an optional :number, like read:8k')
  }
  return { mode: rwMode(rw), offsetSuffix: suffix?.trim() }
}

export function rwMode(rw: FioRw): RwMode {
  const trimThenWrite = rw === 'trimwrite' || rw === 'randtrimwrite'
  return {
    rw,
    reads: rw === 'read' || rw === 'randread' || rw === 'rw' || rw === 'randrw',
    writes: rw === 'write' || rw === 'randwrite' || rw === 'rw' || rw === 'randrw' || trimThenWrite,
    trims: rw === 'trim' || rw === 'randtrim' || trimThenWrite,
    random: rw.startsWith('rand'),
    trimThenWrite,
  }
}

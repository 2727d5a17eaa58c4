import { FioValueError } from './problems.js'
import { type KbBase, parseBytes } from './units.js'
import { perDirection, splitRange } from './value-lists.js'

/** A block-size distribution: [bytes, percent] pairs, percents adding up to 100. */
export type SizeDistribution = Array<[bytes: number, percent: number]>

export type Direction = 'read' | 'write' | 'trim'
export const DIRECTIONS: readonly Direction[] = ['read', 'write', 'trim']

const DEFAULT_BS = 4096
const MAX_SPLITS = 64

/** The size options of a job as given: the last of bs/bsrange wins (both set fio's min_bs/max_bs). */
export interface SizeOptions {
  bs?: string | undefined
  bsrange?: string | undefined
  /** Which of bs and bsrange came last. */
  rangeLast: boolean
  bssplit?: string | undefined
  unaligned: boolean
  /** kb_base as it stood when each option was read (Effective.kbBase). */
  kbBase: Record<'bs' | 'bsrange' | 'bssplit', KbBase>
}

/**
 * Block sizes per direction as fio draws them (io_u.c get_next_buflen): a bssplit wins; otherwise
 * one size, or a range. fio draws a range as minbs + maxbs × U rounded down to a multiple of minbs and
 * capped at maxbs: every multiple of minbs up to maxbs equally often, the cap taking what is left.
 * With bs_unaligned the draw is not rounded; we keep 512-byte steps. `notes` gets what fio does with
 * bssplit percentages that do not add up to 100.
 */
export function blockSizes(o: SizeOptions, notes: string[]): Record<Direction, SizeDistribution> {
  const split = o.bssplit === undefined ? [undefined, undefined, undefined] : perDirection(o.bssplit, true)
  const single = o.bs === undefined ? [undefined, undefined, undefined] : perDirection(o.bs)
  const range = o.bsrange === undefined ? [undefined, undefined, undefined] : perDirection(o.bsrange, true)
  const out = {} as Record<Direction, SizeDistribution>
  DIRECTIONS.forEach((dir, i) => {
    const s = split[i]
    if (s !== undefined) {
      out[dir] = alignSplit(bssplit(s, o.kbBase.bssplit, notes, dir), o.unaligned, notes, dir)
      return
    }
    const r = range[i]
    const b = single[i]
    const useRange = r !== undefined && (b === undefined || o.rangeLast)
    if (useRange) {
      const [lo, hi] = splitRange(r).map((t) => parseBytes(t, o.kbBase.bsrange)) as [number, number]
      out[dir] = uniform(Math.min(lo, hi), Math.max(lo, hi), o.unaligned)
    } else out[dir] = [[b === undefined ? DEFAULT_BS : positive(parseBytes(b, o.kbBase.bs)), 100]]
  })
  return out
}

function positive(n: number): number {
  if (n <= 0) throw new FioValueError('a block size of at least 1 byte')
  return n
}

/** fio's range draw, as a distribution (see blockSizes). */
export function uniform(min: number, max: number, unaligned: boolean): SizeDistribution {
  positive(min)
  if (min === max) return [[min, 100]]
  const step = unaligned ? 512 : min
  const out: SizeDistribution = []
  // Draws are min + max·U (U uniform in [0, 1)), rounded down to a multiple of `step` from `min` when
  // unaligned, from 0 when aligned; every value above max becomes max.
  const first = unaligned ? min : step
  for (let size = first; size < max; size += step) out.push([size, (step / max) * 100])
  const taken = out.reduce((sum, [, p]) => sum + p, 0)
  out.push([max, 100 - taken])
  return out.filter(([size, p]) => size >= min && p > 1e-12)
}

/** `bssplit=4k/50:64k/30:1m/20` for one direction, with fio's rules for blank and odd percentages. */
function bssplit(text: string, kbBase: KbBase, notes: string[], dir: Direction): SizeDistribution {
  const entries: Array<{ bytes: number; percent: number | undefined }> = []
  for (const part of text.split(':')) {
    if (part.trim() === '') break
    const [size, percent, extra] = part.split('/')
    if (extra !== undefined)
      throw new FioValueError(
        'a list of size/percent entries like 4k/50:64k/50',
        `bad entry ${JSON.stringify(part)}`,
      )
    const p = percent === undefined || percent.trim() === '' ? undefined : Number.parseInt(percent, 10)
    if (p !== undefined && Number.isNaN(p))
      throw new FioValueError(
        'a list of size/percent entries like 4k/50:64k/50',
        `bad percentage in ${JSON.stringify(part)}`,
      )
    // fio: atoi, above 100 counts as 100, 0 counts as blank.
    entries.push({
      bytes: positive(parseBytes(size!, kbBase)),
      percent: p === 0 ? undefined : p === undefined ? undefined : Math.min(100, p),
    })
    if (entries.length === MAX_SPLITS) break
  }
  if (entries.length === 0) throw new FioValueError('a list of size/percent entries like 4k/50:64k/50')
  const given = entries.reduce((sum, e) => sum + (e.percent ?? 0), 0)
  const missing = entries.filter((e) => e.percent === undefined).length
  if (given > 100 && missing > 1)
    throw new FioValueError('percentages that add up to at most 100', 'fio rejects more with blank entries')
  if (given > 100 && missing === 1 && entries.length > 1) {
    // options.c:195-203: the blank share is (100 - given) / 1 in unsigned arithmetic, which wraps
    // around to about 2^32: fio then draws the blank entry nearly every time.
    throw new FioValueError(
      'percentages that add up to at most 100',
      `the blank entry gets 100 - ${given} in fio's unsigned arithmetic, which wraps around to ${2 ** 32 + 100 - given}: fio would issue nearly every I/O at that size`,
    )
  }
  const fill =
    missing === 1 && entries.length === 1 ? 100 : Math.floor(Math.max(0, 100 - given) / Math.max(1, missing))
  const filled = entries.map((e) => ({ bytes: e.bytes, percent: e.percent ?? fill }))
  const total = filled.reduce((sum, e) => sum + e.percent, 0)
  if (total === 100) return filled.filter((e) => e.percent > 0).map((e) => [e.bytes, e.percent])
  // fio sorts by percentage and draws cumulatively: what is left goes to the largest share, and
  // shares past 100 are never drawn.
  const sorted = [...filled].sort((a, b) => a.percent - b.percent)
  const out: SizeDistribution = []
  let cumulative = 0
  for (const e of sorted) {
    const share = Math.min(e.percent, 100 - cumulative)
    cumulative += share
    out.push([e.bytes, share])
  }
  if (cumulative < 100) out[out.length - 1]![1] += 100 - cumulative
  notes.push(`${dir} bssplit percentages add up to ${total}: fio draws ${describe(out)}`)
  return out.filter(([, p]) => p > 0)
}

/**
 * io_u.c:671-677 (get_next_buflen): whatever size a bssplit draws is rounded down to a multiple of the
 * split's smallest size (unless bs_unaligned), so `4k/50:6k/50` issues only 4 KiB I/Os. Sizes that
 * round to the same value are merged; a note says what fio issues instead of what was written.
 */
function alignSplit(
  d: SizeDistribution,
  unaligned: boolean,
  notes: string[],
  dir: Direction,
): SizeDistribution {
  const min = minSize(d)
  if (unaligned || d.every(([b]) => b % min === 0)) return d
  const merged = new Map<number, number>()
  for (const [b, p] of d) {
    const issued = b - (b % min)
    merged.set(issued, (merged.get(issued) ?? 0) + p)
  }
  const out: SizeDistribution = [...merged]
  notes.push(
    `${dir} bssplit sizes that are not multiples of the smallest (${min}) are rounded down by fio, as by the simulation: it issues ${describe(out)}`,
  )
  return out
}

function describe(d: SizeDistribution): string {
  return d.map(([b, p]) => `${b}/${p}`).join(':')
}

/** The smallest size of a distribution (rate_iops is counted in it, as in fio). */
export function minSize(d: SizeDistribution): number {
  return Math.min(...d.map(([b]) => b))
}

/** The mean size of a distribution. */
export function meanSize(d: SizeDistribution): number {
  return d.reduce((sum, [b, p]) => sum + (b * p) / 100, 0)
}

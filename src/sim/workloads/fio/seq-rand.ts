import { DIRECTIONS, type Direction, type SizeDistribution } from './block-sizes.js'
import type { PerDirection } from './job.js'

/**
 * The share of a direction's I/Os at a random offset, in percent: `percentage_random` (per direction,
 * default 100) for the rand* modes, 0 for the sequential ones (io_u.c get_next_block draws
 * should_do_random only when td_random).
 */
export function randomShares(random: boolean, given: PerDirection<number | null>): PerDirection<number> {
  const out = {} as PerDirection<number>
  for (const dir of DIRECTIONS) out[dir] = random ? (given[dir] ?? 100) : 0
  return out
}

/** `aPercent` % of `a` and the rest of `b`, equal sizes merged. */
export function mix(a: SizeDistribution, b: SizeDistribution, aPercent: number): SizeDistribution {
  if (aPercent >= 100) return a
  if (aPercent <= 0) return b
  const merged = new Map<number, number>()
  const add = (d: SizeDistribution, weight: number) => {
    if (weight <= 0) return
    for (const [bytes, p] of d) merged.set(bytes, (merged.get(bytes) ?? 0) + (p * weight) / 100)
  }
  add(a, aPercent)
  add(b, 100 - aPercent)
  return [...merged]
}

/**
 * bs_is_seq_rand (io_u.c get_next_buflen: `ddir = is_random ? DDIR_WRITE : DDIR_READ`): every
 * direction's sequential I/Os take the read sizes and its random I/Os the write sizes.
 */
export function seqRandSizes(
  bs: PerDirection<SizeDistribution>,
  shares: PerDirection<number>,
): PerDirection<SizeDistribution> {
  const out = {} as PerDirection<SizeDistribution>
  for (const dir of DIRECTIONS as Direction[]) out[dir] = mix(bs.write, bs.read, shares[dir])
  return out
}

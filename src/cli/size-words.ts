import { formatBytes } from '../index.js'
import type { PolicyName } from '../sim/index.js'

/**
 * The verification step of `size`'s "search:" line: "the answer and the 2 sizes above it", and where a
 * policy's answer is so near the limit that the grid has fewer sizes above it, how many it had (never
 * a check that was not made).
 */
export function verificationWords(
  verifyAbove: number,
  limitBytes: number,
  entries: ReadonlyArray<[PolicyName, { sizesAbove: number | null }]>,
): string {
  const base = verifyWords(verifyAbove)
  const short = entries.filter(([, r]) => r.sizesAbove !== null && r.sizesAbove < verifyAbove)
  if (short.length === 0) return base
  const which = short.map(([p, r]) => `${p} ${r.sizesAbove === 0 ? 'none' : r.sizesAbove}`).join(', ')
  return `${base} where the grid has them (it ends at the ${formatBytes(limitBytes)} limit; sizes above the answer: ${which})`
}

/** Whether some policy's answer had fewer sizes above it than the search asks for. */
export function anyShort(
  verifyAbove: number,
  entries: ReadonlyArray<[PolicyName, { sizesAbove: number | null }]>,
): boolean {
  return entries.some(([, r]) => r.sizesAbove !== null && r.sizesAbove < verifyAbove)
}

/** "the answer and the 2 sizes above it", as the search's verification goes (`verifyAbove` sizes). */
export function verifyWords(verifyAbove: number): string {
  if (verifyAbove === 0) return 'the answer'
  return `the answer and the ${verifyAbove === 1 ? 'size' : `${verifyAbove} sizes`} above it`
}

/** The coarse scan's sizes: the powers of two up to the limit, and the limit itself where it is not one. */
export function scanWords(limitBytes: number): string {
  const pow2 = limitBytes > 0 && 2 ** Math.round(Math.log2(limitBytes)) === limitBytes
  return pow2 ? 'the power-of-two sizes' : `the power-of-two sizes and the ${formatBytes(limitBytes)} limit`
}

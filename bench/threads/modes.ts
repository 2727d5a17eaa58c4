/** The hiwater modes, `off` first: every other mode is a ratio to it. */
export const MODES = ['off', 'exact', 'per-area', 'batched', 'sampled'] as const

/** Areas for `n` threads: one each, rounded up to a power of two. */
export function nextPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)))
}

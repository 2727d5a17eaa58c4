/**
 * One of n deterministic slices of a grid of runs, numbered from 1 like vitest's and Playwright's
 * `--shard 1/3`. Run k (from 0, in grid order) belongs to shard (k mod n) + 1: round-robin, so that
 * every shard gets a share of the small and of the large pools, the quick and the slow policies.
 */
export interface Shard {
  index: number
  count: number
}

/** The whole grid, as one run. */
export const WHOLE: Shard = { index: 1, count: 1 }

export class ShardError extends Error {
  readonly code = 'ERR_SIM_SHARD'
  constructor(message: string) {
    super(message)
    this.name = 'ShardError'
  }
}

/** Parses `i/n` (1 ≤ i ≤ n ≤ 100,000). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text)
  const index = m === null ? Number.NaN : Number(m[1])
  const count = m === null ? Number.NaN : Number(m[2])
  if (!(index >= 1 && count >= 1 && index <= count && count <= 100_000)) {
    throw new ShardError(`Expected a shard as i/n with 1 ≤ i ≤ n, e.g. 2/4, got ${JSON.stringify(text)}`)
  }
  return { index, count }
}

export function inShard(runIndex: number, shard: Shard): boolean {
  return runIndex % shard.count === shard.index - 1
}

/** The runs of `total` that belong to `shard`, in order. */
export function shardRuns(total: number, shard: Shard): number[] {
  const out: number[] = []
  for (let k = shard.index - 1; k < total; k += shard.count) out.push(k)
  return out
}

import type { PoolGrid } from './size-grid.js'

/** Whether each seed's run met the criteria at one candidate, in seed order. */
export type SeedPasses = readonly boolean[]

/** Runs every seed at each of `indices` (all at once, as the caller likes) and says which passed. */
export type EvaluateCandidates = (indices: readonly number[]) => Promise<SeedPasses[]>

export interface SearchOptions {
  /** How many candidates just above an answer must pass too. Default 2. */
  verifyAbove?: number
  /** Called when the search enters a phase, for progress bars. */
  onPhase?: (phase: 'coarse' | 'refine' | 'verify', fraction: number) => void
}

export interface SearchResult {
  /** The smallest candidate that passes in every seed, with the `verifyAbove` candidates above it; null when none. */
  answer: number | null
  /**
   * Candidates above the answer that were checked and passed: `verifyAbove`, fewer where the grid ends
   * sooner (0 when the answer is its largest size); 0 when there is no answer.
   */
  above: number
  /** Every candidate tried, and each seed's verdict there. */
  tried: ReadonlyMap<number, SeedPasses>
}

/**
 * The smallest pool size that meets the criteria in every seed, without assuming that a larger pool
 * is never worse (it is not: a pool that fails at 54 MiB may pass at 53, because where each mapping
 * lands changes with the pool's layout).
 *
 * 1. Coarse scan: the power-of-two candidates, smallest first, every seed, until one passes in every
 *    seed. Note the first where any seed passed.
 * 2. Refinement: every candidate between the coarse point below that first partial pass and the
 *    coarse point that passed, every seed.
 * 3. Verification: the answer is the smallest candidate from there on that passes in every seed and
 *    whose `verifyAbove` next candidates do too (an island of health with failures just above it is no
 *    answer an operator can round up from).
 *
 * Bisection would trust any single passing probe and never look above it.
 */
export async function searchSmallest(
  grid: PoolGrid,
  evaluate: EvaluateCandidates,
  options: SearchOptions = {},
): Promise<SearchResult> {
  const verifyAbove = options.verifyAbove ?? 2
  const tried = new Map<number, SeedPasses>()
  const ensure = async (indices: readonly number[]): Promise<void> => {
    const missing = indices.filter((i) => i < grid.length && !tried.has(i))
    if (missing.length === 0) return
    const verdicts = await evaluate(missing)
    missing.forEach((index, k) => {
      tried.set(index, verdicts[k]!)
    })
  }
  const passes = (i: number) => tried.get(i)!.every(Boolean)

  const coarse = grid.coarse()
  let firstAny = -1
  let firstAll = -1
  for (let c = 0; c < coarse.length && firstAll < 0; c++) {
    options.onPhase?.('coarse', c / coarse.length)
    await ensure([coarse[c]!])
    if (firstAny < 0 && tried.get(coarse[c]!)!.some(Boolean)) firstAny = c
    if (passes(coarse[c]!)) firstAll = c
  }
  if (firstAll < 0) return { answer: null, above: 0, tried }

  options.onPhase?.('refine', 0)
  const from = firstAny > 0 ? coarse[firstAny - 1]! + 1 : 0
  await ensure(range(from, coarse[firstAll]!))

  options.onPhase?.('verify', 0)
  for (let c = from; c < grid.length; c++) {
    await ensure([c])
    if (!passes(c)) continue
    const above = range(c + 1, Math.min(grid.length, c + 1 + verifyAbove))
    await ensure(above)
    if (above.every(passes)) return { answer: c, above: above.length, tried }
  }
  return { answer: null, above: 0, tried }
}

/** For each seed, the smallest candidate tried where it passed; null when it passed nowhere. */
export function smallestPassPerSeed(
  tried: ReadonlyMap<number, SeedPasses>,
  seeds: number,
): Array<number | null> {
  const indices = [...tried.keys()].sort((a, b) => a - b)
  return Array.from({ length: seeds }, (_, s) => indices.find((i) => tried.get(i)![s] === true) ?? null)
}

function range(from: number, to: number): number[] {
  const out: number[] = []
  for (let i = from; i < to; i++) out.push(i)
  return out
}

import { formatBytes } from '../index.js'
import { bootParameter } from './boot-param.js'
import { confidenceLine } from './confidence.js'
import { healthyOutcome, type RunOutcome } from './parallel/task.js'
import type { PolicyName } from './policies.js'
import type { PoolGrid } from './size-grid.js'
import { searchSmallest, smallestPassPerSeed } from './size-search.js'

/** The policies a mainline kernel has: their answer is a `swiotlb=` boot parameter. */
export const MAINLINE_POLICIES: ReadonlySet<PolicyName> = new Set(['fail', 'dynamic'])

/** One policy's answer (bytes, µs, MiB/s). Fields are null where no size up to the limit passes. */
export interface PolicySize {
  /** The smallest initial pool that meets the criteria in every seed (and the sizes just above it). */
  minPoolBytes: number | null
  /** Areas of the pool at the answer. */
  areas: number | null
  /** Largest peak of all pools over the seeds' runs at that size (growth included). */
  peakPoolBytes: number | null
  /** Means over the seeds' runs at the answer. */
  iops: number | null
  mibps: number | null
  /** Worst seed's p99 map wait and p99 completion latency at the answer. */
  mapWaitP99Us: number | null
  clatP99Us: number | null
  /** Mean MiB/s of the same seeds on an unconstrained pool (the limit), and the answer's share of it. */
  unconstrainedMibps: number
  throughputPct: number | null
  /** Over seeds, the smallest size tried at which that seed met the criteria (nearest rank). */
  perSeedMinPoolBytes: { p50: number | null; p95: number | null }
  /** Runs at the answer (one per seed), all of them healthy. */
  runsAtAnswer: number
  /**
   * Sizes above the answer checked healthy too: `verifyAbove` (2), fewer where the grid ends sooner at
   * the limit (0 when the answer is the largest size tried). null when there is no answer.
   */
  sizesAbove: number | null
  /** "0 failures in n runs: …" */
  confidence: string | null
  /** `swiotlb=<slots>` for mainline policies, null for the others. */
  bootParameter: string | null
  /** The pool a kernel allocates for that parameter (checked with every seed too). */
  kernelPoolBytes: number | null
  /** One line to act on: the boot parameter, or the size and what it needs. */
  recommendation: string
  /** Sizes tried and runs made for this policy. */
  sizesTried: number
  runs: number
}

export interface PolicySearchInput {
  policy: PolicyName
  grid: PoolGrid
  seeds: readonly number[]
  cpus: number
  limitBytes: number
  minThroughputPct: number | undefined
  verifyAbove: number
  /** Runs each seed at one candidate (stopping at the first error) or unconstrained (index -1). */
  runAt: (index: number, seed: number) => Promise<RunOutcome>
  onPhase?: (fraction: number) => void
  /** How the evidence is worded; default: K seeds' runs (confidence.ts). A trace's replay words its own. */
  evidence?: Evidence
}

/** The words of an answer's evidence, for runs that are not K seeds (one deterministic replay). */
export interface Evidence {
  /** The confidence statement at the answer, given the sizes above it that were checked. */
  confidence: (sizesAbove: number) => string
  /** What passed at a size, e.g. "0 failures in 20 runs at 16 MiB". */
  passedAt: (size: string) => string
  /** Where no size up to the limit passed, e.g. "in every seed". */
  everywhere: string
  /** Which run a peak is the largest of, e.g. "in the worst seed". */
  worst: string
}

const PHASE_START = { coarse: 0.1, refine: 0.5, verify: 0.8 } as const

/** Searches one policy and sums up its answer. */
export async function sizeOnePolicy(input: PolicySearchInput): Promise<PolicySize> {
  const { grid, seeds } = input
  const outcomes = new Map<number, RunOutcome[]>()
  const runAll = (index: number) => Promise.all(seeds.map((seed) => input.runAt(index, seed)))
  const free = await runAll(-1)
  const meets = (o: RunOutcome, s: number): boolean =>
    healthyOutcome(o) &&
    (input.minThroughputPct === undefined || o.mibps >= (input.minThroughputPct / 100) * free[s]!.mibps)
  let runs = seeds.length
  const evaluate = async (indices: readonly number[]) => {
    const done = await Promise.all(indices.map(runAll))
    runs += indices.length * seeds.length
    indices.forEach((index, k) => {
      outcomes.set(index, done[k]!)
    })
    return done.map((r) => r.map(meets))
  }
  const search = await searchSmallest(grid, evaluate, {
    verifyAbove: input.verifyAbove,
    onPhase: (phase, f) => input.onPhase?.(PHASE_START[phase] + f * 0.3),
  })
  const freeMibps = round1(mean(free.map((o) => o.mibps)))
  const perSeed = smallestPassPerSeed(search.tried, seeds.length).map((i) =>
    i === null ? null : grid.at(i).bytes,
  )
  const perSeedMinPoolBytes = { p50: nearestRank(perSeed, 50), p95: nearestRank(perSeed, 95) }
  if (search.answer === null) {
    input.onPhase?.(1)
    return {
      minPoolBytes: null,
      areas: null,
      peakPoolBytes: null,
      iops: null,
      mibps: null,
      mapWaitP99Us: null,
      clatP99Us: null,
      unconstrainedMibps: freeMibps,
      throughputPct: null,
      perSeedMinPoolBytes,
      runsAtAnswer: 0,
      sizesAbove: null,
      confidence: null,
      bootParameter: null,
      kernelPoolBytes: null,
      recommendation: `no pool up to ${formatBytes(input.limitBytes)} meets the criteria ${input.evidence?.everywhere ?? 'in every seed'}`,
      sizesTried: outcomes.size,
      runs,
    }
  }
  const answer = grid.at(search.answer)
  const at = outcomes.get(search.answer)!
  const mibps = round1(mean(at.map((o) => o.mibps)))
  let kernel: KernelCheck | undefined
  if (MAINLINE_POLICIES.has(input.policy)) {
    const passesAt = async (index: number) =>
      (search.tried.get(index) ?? (await evaluate([index]))[0]!).every(Boolean)
    kernel = await checkKernelPool(input, search.answer, passesAt)
  }
  input.onPhase?.(1)
  const areas = areaCount(answer.areas)
  const peak = Math.max(...at.map((o) => o.peakPoolBytes))
  // A pool that grows costs its peak, not its initial size: say so where the operator reads the answer.
  const worst = input.evidence?.worst ?? 'in the worst seed'
  const grows = peak > answer.bytes ? `; it grows to ${formatBytes(peak)} ${worst}` : ''
  // Never claim a check above the answer that the grid had no room for.
  const short = search.above < input.verifyAbove ? `; ${shortAboveWords(search.above, input.limitBytes)}` : ''
  return {
    minPoolBytes: answer.bytes,
    areas: answer.areas,
    peakPoolBytes: peak,
    iops: Math.round(mean(at.map((o) => o.iops))),
    mibps,
    mapWaitP99Us: Math.max(...at.map((o) => o.mapWaitP99Us)),
    clatP99Us: Math.max(...at.map((o) => o.clatP99Us)),
    unconstrainedMibps: freeMibps,
    throughputPct: freeMibps > 0 ? round1((100 * mibps) / freeMibps) : null,
    perSeedMinPoolBytes,
    runsAtAnswer: seeds.length,
    sizesAbove: search.above,
    confidence: input.evidence?.confidence(search.above) ?? confidenceLine(0, seeds.length),
    bootParameter: kernel?.parameter ?? null,
    kernelPoolBytes: kernel?.passed === true ? kernel.bytes : null,
    recommendation:
      kernel === undefined
        ? `${formatBytes(answer.bytes)} in ${areas}${grows}: needs the throttling patches (no mainline kernel has this policy)${short}`
        : kernel.line.replace(/\)$/, `${grows}${short})`),
    sizesTried: outcomes.size,
    runs,
  }
}

interface KernelCheck {
  parameter: string | null
  bytes: number
  passed: boolean
  line: string
}

/**
 * A mainline kernel rounds `swiotlb=` up to a power of two (boot-param.ts), so the pool it boots with
 * is not the answer: that size is checked with every seed too, and the next power of two after it when
 * it fails (sizes are not monotonic).
 */
async function checkKernelPool(
  input: PolicySearchInput,
  answerIndex: number,
  passesAt: (index: number) => Promise<boolean>,
): Promise<KernelCheck> {
  const { grid, seeds } = input
  const answer = grid.at(answerIndex)
  let { parameter, pool, note } = bootParameter(answer.bytes, answer.areas, input.cpus)
  for (;;) {
    const index = grid.indexAtLeast(pool.bytes)
    if (index >= grid.length || grid.at(index).bytes !== pool.bytes) break
    if (await passesAt(index)) {
      const why =
        note ??
        (pool.bytes === answer.bytes
          ? undefined
          : `the kernel rounds ${Math.ceil(answer.bytes / 2048)} slots up to a power of two`)
      const rounded = `${formatBytes(pool.bytes)}, ${areaCount(pool.nareas)}${why === undefined ? '' : `: ${why}`}`
      const at = formatBytes(pool.bytes)
      const passed = input.evidence?.passedAt(at) ?? `0 failures in ${seeds.length} runs at ${at}`
      const line = `${parameter}   (${rounded}; ${passed})`
      return { parameter, bytes: pool.bytes, passed: true, line }
    }
    ;({ parameter, pool, note } = bootParameter(pool.bytes * 2, answer.areas, input.cpus))
  }
  return {
    parameter: null,
    bytes: pool.bytes,
    passed: false,
    line: `no power-of-two boot pool up to ${formatBytes(input.limitBytes)} passes ${input.evidence?.everywhere ?? 'in every seed'} (the kernel rounds swiotlb= to one)`,
  }
}

/**
 * What was checked above an answer where the grid ended before `verifyAbove` sizes: "the largest size
 * tried (the 4 GiB limit): no larger size was checked", or "only 1 size above it, up to …".
 */
function shortAboveWords(sizesAbove: number, limitBytes: number): string {
  const limit = `the ${formatBytes(limitBytes)} limit`
  if (sizesAbove === 0) return `the largest size tried (${limit}): no larger size was checked`
  return `only ${sizesAbove} size${sizesAbove === 1 ? '' : 's'} above it, up to ${limit}: no larger size was checked`
}

function areaCount(n: number): string {
  return `${n} area${n === 1 ? '' : 's'}`
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length
}

function round1(x: number): number {
  return Math.round(x * 10) / 10
}

/** The p-th percentile by nearest rank; null stands for "never" and sorts last. */
export function nearestRank(values: ReadonlyArray<number | null>, p: number): number | null {
  const rank = (v: number | null) => (v === null ? Number.POSITIVE_INFINITY : v)
  const sorted = [...values].sort((a, b) => (rank(a) === rank(b) ? 0 : rank(a) < rank(b) ? -1 : 1))
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null
}

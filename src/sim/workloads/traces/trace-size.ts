import { ArgumentRangeError } from '../../../errors.js'
import { roundUpPowerOfTwo } from '../../boot-param.js'
import { outcomeOf } from '../../parallel/task.js'
import { type PolicyInput, type PolicyName, resolvePolicies } from '../../policies.js'
import type { PolicyResult } from '../../result.js'
import { PoolGrid } from '../../size-grid.js'
import { type Evidence, type PolicySize, sizeOnePolicy } from '../../size-policy.js'
import type { ReplayOptions, TraceInput, TraceSummary } from './replay.js'
import { ReplayBatch } from './replay-batch.js'

/** The largest pool tried, as `size <scenario>` (sizePool's default). */
export const TRACE_LIMIT_BYTES = 4 * 2 ** 30
/** Areas of the pools tried when neither the caller nor the trace says (a 16-CPU guest). */
const DEFAULT_AREAS = 16

export interface TraceSizeOptions extends Pick<ReplayOptions, 'tuning' | 'mayBlock' | 'maxWaitMs'> {
  /** Areas of the pools tried; default: the trace's CPUs rounded up to a power of two (the kernel's choice), else 16. */
  areas?: number
  /** CPUs of the traced guest, for the `swiotlb=` line; default: the trace's, else `areas`. */
  cpus?: number
  /** Largest pool tried, bytes; also the unconstrained pool. Default 4 GiB. */
  limitBytes?: number
  /** Sizes just above an answer that must pass too. Default 2. */
  verifyAbove?: number
  onProgress?: (fraction: number) => void
}

/** One policy's answer: `size <scenario>`'s, and the longest map wait there. */
export interface TracePolicySize extends PolicySize {
  /** The longest map wait of the replay at the answer, µs; null when there is no answer. */
  mapWaitMaxUs: number | null
}

export interface TraceSizeResult {
  summary: TraceSummary
  /** The trace's own peak of bounce memory: the largest exact hiwater on the unconstrained pool, bytes. */
  peakBytes: number
  limitBytes: number
  /** Areas of the pools tried (fewer below one segment per area, as the kernel's limit_nareas). */
  areas: number
  /** CPUs the `swiotlb=` line is written for. */
  cpus: number
  /** The wait bound of the criteria, ms; null: none. */
  maxWaitMs: number | null
  /** Sizes just above an answer that had to pass too (fewer where the grid ends: each policy's `sizesAbove`). */
  verifyAbove: number
  /** Passes of the trace file, and replays made in them. */
  passes: number
  replays: number
  policies: Partial<Record<PolicyName, TracePolicySize>>
}

/**
 * `size` for a recorded workload: the smallest pool per policy whose replay has no I/O error and no
 * stuck map (and, with `maxWaitMs`, no map that waited longer), found by the search `size <scenario>`
 * uses (size-search.ts through size-policy.ts: pool sizes in whole segments per area, the
 * power-of-two sizes, a refinement, a verification of the answer and the sizes above it, no
 * assumption that a larger pool is never worse), with the `swiotlb=` value a kernel boots with.
 *
 * A replay is deterministic: one run per size stands where `size <scenario>` runs K seeds, and the
 * evidence says so (it establishes the size for the recorded traffic only). The runs asked for at
 * about the same time share one pass of the file (ReplayBatch); the first pass replays every policy on
 * the unconstrained pool, which measures the trace's peak and its CPUs.
 */
export async function sizeTrace(
  input: TraceInput,
  policies: readonly PolicyInput[],
  options: TraceSizeOptions = {},
): Promise<TraceSizeResult> {
  const names = resolvePolicies(policies).map((p) => p.name)
  const limit = options.limitBytes ?? TRACE_LIMIT_BYTES
  const verifyAbove = options.verifyAbove ?? 2
  // Bad options fail here, before the first pass of the file (PoolGrid checks areas and the limit).
  // The unconstrained replay is the limit, in as many areas as the grid gives its largest size (fewer
  // than asked below one segment per area), as sizePool's is.
  const freeGrid = new PoolGrid(options.areas ?? DEFAULT_AREAS, limit)
  whole('cpus', options.cpus, 1)
  whole('verifyAbove', verifyAbove, 0)
  const batch = new ReplayBatch(input, {
    ...(options.tuning === undefined ? {} : { tuning: options.tuning }),
    ...(options.mayBlock === undefined ? {} : { mayBlock: options.mayBlock }),
    ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
  })
  const freePool = { size: limit, areas: freeGrid.at(freeGrid.length - 1).areas }
  const free = await Promise.all(names.map((policy) => batch.run({ policy, pool: freePool })))
  const summary = batch.summary!
  const cpus = options.cpus ?? summary.cpus
  const areas = options.areas ?? (cpus === undefined ? DEFAULT_AREAS : roundUpPowerOfTwo(cpus))
  const grid = new PoolGrid(areas, limit)
  const evidence: Evidence = {
    confidence: (above) =>
      `one deterministic replay per size: no error at this size${aboveReplayWords(above, verifyAbove)}; this holds for the traffic the trace recorded, not for traffic it did not see`,
    passedAt: (size) => `no error in the replay at ${size}`,
    everywhere: 'in the replay',
    worst: 'in the replay',
  }
  const atAnswer = new Map<string, PolicyResult>()
  const fractions = names.map(() => 0)
  const answers = await Promise.all(
    names.map((policy, p) =>
      sizeOnePolicy({
        policy,
        grid,
        seeds: [1],
        cpus: cpus ?? areas,
        limitBytes: limit,
        minThroughputPct: undefined,
        verifyAbove,
        evidence,
        runAt: async (index) => {
          if (index < 0) return outcomeOf(free[p]!)
          const c = grid.at(index)
          const r = await batch.run({ policy, pool: { size: c.bytes, areas: c.areas }, stopOnError: true })
          atAnswer.set(`${policy}@${c.bytes}`, r)
          return outcomeOf(r)
        },
        onPhase: (f) => {
          fractions[p] = f
          options.onProgress?.(fractions.reduce((a, b) => a + b, 0) / names.length)
        },
      }),
    ),
  )
  const out: Partial<Record<PolicyName, TracePolicySize>> = {}
  names.forEach((policy, p) => {
    const a = answers[p]!
    const r = a.minPoolBytes === null ? undefined : atAnswer.get(`${policy}@${a.minPoolBytes}`)
    out[policy] = { ...a, mapWaitMaxUs: r === undefined ? null : r.mapWaitUs.max }
  })
  return {
    summary,
    peakBytes: Math.max(...free.map((r) => r.hiwater.exact)),
    limitBytes: limit,
    areas,
    cpus: cpus ?? areas,
    maxWaitMs: options.maxWaitMs ?? null,
    verifyAbove,
    passes: batch.passes,
    replays: batch.replays,
    policies: out,
  }
}

/** " nor at the 2 sizes above it", or where the grid ended sooner what it had. */
function aboveReplayWords(above: number, verifyAbove: number): string {
  const sizes = above === 1 ? 'the size above it' : `the ${above} sizes above it`
  if (above >= verifyAbove) return above === 0 ? '' : ` nor at ${sizes}`
  if (above === 0) return ', the largest size tried (no larger size was checked)'
  return ` nor at ${sizes}, the largest tried (no larger size was checked)`
}

function whole(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
    throw new ArgumentRangeError(name, `a whole number from ${min}`, value)
  }
}

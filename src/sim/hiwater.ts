import { ArgumentRangeError } from '../errors.js'
import { SEGMENT_SLOTS, SLOT_SIZE } from '../index.js'
import { createRunner, defaultJobs, type TaskRunner } from './parallel/runner.js'
import type { TraceOutcome } from './parallel/task.js'
import { type PolicyInput, type PolicyName, policyByName } from './policies.js'
import type { SimSpec } from './spec.js'

const SEGMENT_BYTES = SEGMENT_SLOTS * SLOT_SIZE

/** Michael Kelley's question: how often must a sampler read usage for its maximum to be good? */
export interface HiwaterOptions {
  policy?: PolicyInput
  /** Area counts to try; default every power of two up to 128 that splits the pool into whole segments. */
  areas?: readonly number[]
  /** Sampling intervals, ms; default 0.1 ms … 1 s. */
  intervalsMs?: readonly number[]
  seeds?: { first: number; count: number }
  /** Sampler phases per interval: sampler j starts at j/offsets of an interval. Default 8. */
  offsets?: number
  jobs?: number
  runner?: TaskRunner
  onProgress?: (fraction: number) => void
}

export const DEFAULT_INTERVALS_MS: readonly number[] = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000]

/** A ratio to the exact high-water mark over many runs: its mean and its worst. */
export interface RatioStats {
  mean: number
  /** Sampled: the lowest (the worst underestimate); per-area sum: the highest (the worst overestimate). */
  worst: number
}

export interface HiwaterResult {
  scenario: string
  policy: PolicyName
  poolBytes: number
  runtimeMs: number
  seeds: { first: number; count: number }
  offsets: number
  /** The exact mark per area count, mean over seeds (bytes). */
  exactBytes: Array<{ areas: number; mean: number }>
  /**
   * Sampled ÷ exact per interval, over seeds, sampler offsets and area counts. Exact here is the
   * maximum of the usage record, which also counts transient pools (`dynamic`); without them it is the
   * pool's exact mark.
   */
  sampled: Array<{ intervalMs: number } & RatioStats>
  /** Per-area sum ÷ exact per area count, over seeds. */
  perAreaSum: Array<{ areas: number } & RatioStats>
}

/** The area counts `hiwater` tries by default for a pool. */
export function defaultHiwaterAreas(poolBytes: number): number[] {
  const segments = Math.floor(poolBytes / SEGMENT_BYTES)
  const out: number[] = []
  for (let a = 1; a <= 128 && a <= segments; a *= 2) if (segments % a === 0) out.push(a)
  return out
}

/** Throws runHiwater's ArgumentRangeError for an area count that does not split the pool into whole segments. */
export function checkHiwaterAreas(poolBytes: number, areas: readonly number[]): void {
  const segments = Math.floor(poolBytes / SEGMENT_BYTES)
  for (const a of areas) {
    if (!(a >= 1 && (a & (a - 1)) === 0 && a <= segments && segments % a === 0)) {
      throw new ArgumentRangeError(
        'areas',
        `area counts that split the ${segments}-segment pool into whole segments each`,
        a,
      )
    }
  }
}

/**
 * Runs the workload once per area count and seed, recording usage exactly, then reads that record
 * with a sampler of every interval at several phases. One run serves every sampler (a sampler only
 * reads usage; it changes nothing), so the sweep over intervals costs no extra runs.
 */
export async function runHiwater(spec: SimSpec, options: HiwaterOptions = {}): Promise<HiwaterResult> {
  const policy = policyByName(options.policy ?? 'fail').name
  const areas = options.areas ?? defaultHiwaterAreas(spec.pool.size)
  checkHiwaterAreas(spec.pool.size, areas)
  const intervals = options.intervalsMs ?? DEFAULT_INTERVALS_MS
  // A 0 ms interval would read forever; no interval, seed or phase would leave means of nothing (NaN).
  if (!Array.isArray(intervals) || intervals.length === 0)
    throw new ArgumentRangeError('intervalsMs', 'at least one sampling interval', intervals)
  for (const ms of intervals) {
    if (!(typeof ms === 'number' && Number.isFinite(ms) && ms > 0))
      throw new ArgumentRangeError('intervalsMs', 'sampling intervals of more than 0 ms', ms)
  }
  const seeds = options.seeds ?? { first: 1, count: 5 }
  whole('seeds.first', seeds.first, 0)
  whole('seeds.count', seeds.count, 1)
  const offsets = options.offsets ?? 8
  whole('offsets', offsets, 1)
  const runner = options.runner ?? createRunner(options.jobs ?? defaultJobs())
  const total = areas.length * seeds.count
  let done = 0
  try {
    const runs: TraceOutcome[][] = await Promise.all(
      areas.map((a) =>
        Promise.all(
          Array.from({ length: seeds.count }, async (_, s) => {
            const outcome = await runner.run({
              kind: 'trace',
              spec: { ...spec, pool: { size: spec.pool.size, areas: a } },
              policy,
              seed: seeds.first + s,
              intervalsMs: intervals,
              offsets,
            })
            options.onProgress?.(++done / total)
            return outcome
          }),
        ),
      ),
    )
    const all = runs.flat()
    return {
      scenario: spec.name,
      policy,
      poolBytes: spec.pool.size,
      runtimeMs: spec.runtimeMs,
      seeds,
      offsets,
      exactBytes: areas.map((a, i) => ({
        areas: a,
        mean: Math.round(mean(runs[i]!.map((r) => r.exactBytes))),
      })),
      sampled: intervals.map((intervalMs, i) => {
        // Against the trace's own maximum: a sampler reads the same usage the trace records.
        const ratios = all.flatMap((r) => r.sampledBytes[i]!.map((b) => ratio(b, r.traceMaxBytes)))
        return { intervalMs, mean: round3(mean(ratios)), worst: round3(Math.min(...ratios)) }
      }),
      perAreaSum: areas.map((a, i) => {
        const ratios = runs[i]!.map((r) => ratio(r.perAreaSumBytes, r.exactBytes))
        return { areas: a, mean: round3(mean(ratios)), worst: round3(Math.max(...ratios)) }
      }),
    }
  } finally {
    if (options.runner === undefined) await runner.close()
  }
}

function whole(name: string, value: unknown, min: number): void {
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= min))
    throw new ArgumentRangeError(name, `a whole number from ${min}`, value)
}

/** A run that used nothing has nothing to under- or overestimate: its ratio is 1. */
export function ratio(measured: number, exact: number): number {
  return exact === 0 ? 1 : measured / exact
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length
}

/** Three decimals, as the hiwater tables print ratios. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000
}

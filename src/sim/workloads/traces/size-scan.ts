import { SEGMENT_SLOTS, SLOT_SIZE } from '../../../index.js'
import { type PolicyInput, type PolicyName, policyByName, resolvePolicies } from '../../policies.js'
import type { PolicyResult } from '../../result.js'
import { healthy } from '../../size.js'
import {
  type ReplayOptions,
  type ReplayRun,
  replayRuns,
  type TraceInput,
  type TraceSummary,
} from './replay.js'

const SEGMENT_BYTES = SEGMENT_SLOTS * SLOT_SIZE
/** The pool of the first pass, which measures the trace's own peak: large enough for any trace seen. */
const MEASURE_BYTES = 4 * 2 ** 30
/** Runs replayed side by side in one pass of the file. */
const RUNS_PER_PASS = 16

export interface TraceSizeOptions extends ReplayOptions {
  /** Largest number of areas a candidate pool gets (fewer when its segments do not split evenly). */
  areas?: number
  /** A healthy run also keeps every map's wait within this many ms (default: any wait). */
  maxWaitMs?: number
  onProgress?: (passes: number) => void
}

/** One policy's answer: the smallest pool with no I/O error and no stuck map, and that run. */
export interface TracePolicySize {
  minPoolBytes: number | null
  result: PolicyResult | null
}

export interface TraceSizeResult {
  summary: TraceSummary
  /** The trace's own peak of bounce memory (its hiwater on a pool that never fills), bytes. */
  peakBytes: number
  /** Largest pool tried, bytes. */
  limitBytes: number
  passes: number
  policies: Partial<Record<PolicyName, TracePolicySize>>
}

/**
 * The smallest healthy pool per policy for a trace, by a scan over whole segments from below, which
 * assumes nothing about monotonicity: the first healthy size met going up is the smallest one. Healthy
 * is the simulator's (no I/O error, nothing stuck), and with `maxWaitMs` no map waited longer: the
 * replay is open-loop (later maps arrive when the trace says, whatever the waits), so under a throttle
 * a tiny pool is error-free with waits that grow without bound.
 *
 * A first pass measures the trace's peak P on a 4 GiB pool. A policy that neither waits nor grows
 * (`fail`) cannot be healthy below P, so its scan starts at P; the others start at one segment. Every policy's scan stops at 4 × P (at least 16 segments). Each pass
 * of the file replays up to 16 candidate pools side by side, each stopping at its first error.
 */
export async function sizeTrace(
  input: TraceInput,
  policies: readonly PolicyInput[],
  options: TraceSizeOptions = {},
): Promise<TraceSizeResult> {
  const names = resolvePolicies(policies).map((p) => p.name)
  const { areas = 16, onProgress, maxWaitMs, ...replay } = options
  const ok = (r: PolicyResult) =>
    healthy(r) && (maxWaitMs === undefined || r.mapWaitUs.max <= maxWaitMs * 1000)
  const measure = await replayRuns(input, [{ policy: 'fail', pool: pool(MEASURE_BYTES, areas) }], {
    ...replay,
    stopOnError: false,
  })
  let passes = 1
  onProgress?.(passes)
  const peakBytes = measure.results[0]!.hiwater.exact
  const limitBytes = Math.max(16 * SEGMENT_BYTES, roundUp(4 * peakBytes))
  const next = new Map<PolicyName, number>(names.map((p) => [p, firstCandidate(p, peakBytes)]))
  const found: Partial<Record<PolicyName, TracePolicySize>> = {}
  while (next.size > 0) {
    const per = Math.max(2, Math.floor(RUNS_PER_PASS / next.size))
    const runs: Array<ReplayRun & { policy: PolicyName }> = []
    for (const [policy, from] of next) {
      for (let i = 0; i < per && from + i * SEGMENT_BYTES <= limitBytes; i++) {
        runs.push({ policy, pool: pool(from + i * SEGMENT_BYTES, areas) })
      }
    }
    const { results } = await replayRuns(input, runs, { ...replay, stopOnError: true })
    onProgress?.(++passes)
    for (const policy of [...next.keys()]) {
      const mine = runs.map((r, i) => ({ r, result: results[i]! })).filter((x) => x.r.policy === policy)
      const first = mine.find((x) => ok(x.result))
      const last = mine[mine.length - 1]!.r.pool.size
      if (first !== undefined) {
        found[policy] = { minPoolBytes: first.r.pool.size, result: first.result }
        next.delete(policy)
      } else if (last + SEGMENT_BYTES > limitBytes) {
        found[policy] = { minPoolBytes: null, result: null }
        next.delete(policy)
      } else next.set(policy, last + SEGMENT_BYTES)
    }
  }
  const ordered: Partial<Record<PolicyName, TracePolicySize>> = {}
  for (const p of names) ordered[p] = found[p]!
  return { summary: measure.summary, peakBytes, limitBytes, passes, policies: ordered }
}

/**
 * Where a policy's scan starts. One that neither waits nor grows (`fail`) cannot be healthy below the
 * trace's peak: with no error its replay is the trace, which needs the peak. Others start at a segment.
 */
function firstCandidate(policy: PolicyName, peakBytes: number): number {
  const p = policyByName(policy)
  return p.queues || p.grows ? SEGMENT_BYTES : Math.max(SEGMENT_BYTES, roundUp(peakBytes))
}

function roundUp(bytes: number): number {
  return Math.ceil(bytes / SEGMENT_BYTES) * SEGMENT_BYTES
}

/** A pool of `bytes` with at most `areas` areas, a power of two that splits it into whole segments. */
function pool(bytes: number, areas: number): { size: number; areas: number } {
  const segments = bytes / SEGMENT_BYTES
  let n = 2 ** Math.floor(Math.log2(Math.max(1, Math.min(areas, segments))))
  while (n > 1 && segments % n !== 0) n /= 2
  return { size: bytes, areas: n }
}

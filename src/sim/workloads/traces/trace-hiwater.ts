import { SEGMENT_SLOTS, SLOT_SIZE } from '../../../index.js'
import {
  DEFAULT_INTERVALS_MS,
  defaultHiwaterAreas,
  mean,
  type RatioStats,
  ratio,
  round3,
} from '../../hiwater.js'
import { type PolicyInput, type PolicyName, policyByName } from '../../policies.js'
import { type ReplayOptions, replayRuns, type TraceInput, type TraceSummary } from './replay.js'
import { SamplerBank } from './sampler-bank.js'

const SEGMENT_BYTES = SEGMENT_SLOTS * SLOT_SIZE

export interface TraceHiwaterOptions extends Pick<ReplayOptions, 'tuning' | 'mayBlock'> {
  /** Default 'fail' (the kernel today). */
  policy?: PolicyInput
  /** Area counts to try; default every power of two up to 128 that splits the pool into whole segments. */
  areas?: readonly number[]
  /** Sampling intervals, ms; default 0.1 ms … 1 s, as `hiwater <scenario>`. */
  intervalsMs?: readonly number[]
  /** Sampler phases per interval: sampler j starts at j/offsets of an interval. Default 8. */
  offsets?: number
}

/** `hiwater <scenario>`'s answer for a trace: one deterministic replay per area count, no seeds. */
export interface TraceHiwaterResult {
  summary: TraceSummary
  policy: PolicyName
  poolBytes: number
  offsets: number
  /** Per area count: the exact mark, and the replay's I/O errors (a pool too small changes the usage). */
  exact: Array<{ areas: number; bytes: number; ioErrors: number }>
  /**
   * Sampled ÷ exact per interval, over sampler phases and area counts (the replay is the same every
   * time, so the phases are what varies). Exact is the maximum of all usage the samplers were fed,
   * transient pools included (`dynamic`), as `hiwater <scenario>`.
   */
  sampled: Array<{ intervalMs: number } & RatioStats>
  /** Per-area sum ÷ exact per area count: one replay each, so one ratio. */
  perAreaSum: Array<{ areas: number; ratio: number }>
}

/**
 * Michael Kelley's question for a recorded workload: how far is a sampler reading usage every interval
 * from the exact high-water mark, and the sum of per-area marks? One pass of the file replays the
 * trace on the pool once per area count; each replay feeds its usage changes to samplers of every
 * interval and phase (SamplerBank), so the intervals cost nothing extra and memory stays flat.
 */
export async function hiwaterTrace(
  input: TraceInput,
  poolBytes: number,
  options: TraceHiwaterOptions = {},
): Promise<TraceHiwaterResult> {
  const policy = policyByName(options.policy ?? 'fail').name
  const segments = Math.floor(poolBytes / SEGMENT_BYTES)
  const areas = options.areas ?? defaultHiwaterAreas(poolBytes)
  for (const a of areas) {
    if (!(a >= 1 && (a & (a - 1)) === 0 && a <= segments && segments % a === 0)) {
      throw new RangeError(
        `Expected areas that split the ${segments}-segment pool into whole segments each, got ${a}`,
      )
    }
  }
  const intervals = options.intervalsMs ?? DEFAULT_INTERVALS_MS
  const offsets = options.offsets ?? 8
  const banks = areas.map(() => new SamplerBank(intervals, offsets))
  const { summary, results } = await replayRuns(
    input,
    areas.map((a) => ({ policy, pool: { size: poolBytes, areas: a } })),
    {
      ...(options.tuning === undefined ? {} : { tuning: options.tuning }),
      ...(options.mayBlock === undefined ? {} : { mayBlock: options.mayBlock }),
      observe: (replay, i) => {
        const bank = banks[i]!
        replay.dma.events$.subscribe((e) => {
          if (e.type === 'map') bank.change(e.at, e.slots)
          else if (e.type === 'unmap') bank.change(e.at, -e.slots)
        })
      },
    },
  )
  const sampled = banks.map((b) => b.finish(Math.max(summary.durationMs, b.lastAt)))
  return {
    summary,
    policy,
    poolBytes,
    offsets,
    exact: areas.map((a, i) => ({
      areas: a,
      bytes: results[i]!.hiwater.exact,
      ioErrors: results[i]!.ioErrors,
    })),
    sampled: intervals.map((intervalMs, n) => {
      const ratios = banks.flatMap((b, i) => sampled[i]![n]!.map((slots) => ratio(slots, b.peak)))
      return { intervalMs, mean: round3(mean(ratios)), worst: round3(Math.min(...ratios)) }
    }),
    perAreaSum: areas.map((a, i) => ({
      areas: a,
      ratio: round3(ratio(results[i]!.hiwater.perAreaSum, results[i]!.hiwater.exact)),
    })),
  }
}

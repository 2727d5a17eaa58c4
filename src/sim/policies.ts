import type { Clock, SwiotlbOptions } from '../index.js'
import type { PoolSpec } from './spec.js'

/** The policies a run compares. The first five are DESIGN §8's; `fair` adds blk-mq's fair share. */
export const POLICY_NAMES = ['fail', 'rfc', 'throttle', 'dynamic', 'hybrid', 'fair'] as const
export type PolicyName = (typeof POLICY_NAMES)[number]

/** The five policies compared by default. */
export const DEFAULT_POLICIES: readonly PolicyName[] = ['fail', 'rfc', 'throttle', 'dynamic', 'hybrid']

export const POLICY_SUMMARY: Record<PolicyName, string> = {
  fail: 'the kernel today: fixed pool, no throttle, a full pool fails the map',
  rfc: "Michael Kelley's RFC: serialize above the high mark (throttle mode 'serialize')",
  throttle: 'blk-mq tags model: blocking maps share a budget of high × capacity, one FIFO',
  dynamic: 'SWIOTLB_DYNAMIC: no throttle, background grow and transient pools, no limit',
  hybrid: "budget throttle, then Robin Murphy's bounded grow after the head waited waitMs",
  fair: 'budget throttle with one FIFO per device and a capped share each (hctx_may_queue)',
}

/** Knobs of the policies, shared by all of them in a run. */
export interface PolicyTuning {
  /** Fraction of capacity: the blocking budget (budget modes) or the RFC's high mark. */
  high: number
  /** The RFC's low mark. */
  low: number
  /** hybrid: grow when the oldest waiter has waited this long. */
  waitMs: number
  /** hybrid: limit of all pools together, bytes; undefined: twice the initial pool. */
  maxBytes: number | undefined
  /** dynamic and hybrid: bytes per grow. */
  chunkBytes: number
  /** dynamic: the background worker grows when usage reaches this fraction of capacity. */
  atUsage: number
  /** dynamic and hybrid: time a grow takes (a CoCo VM's decrypt hypercalls). */
  growCost: { fixedMs: number; perMiBMs: number }
}

export const DEFAULT_TUNING: PolicyTuning = {
  high: 0.7,
  low: 0.65,
  waitMs: 5,
  maxBytes: undefined,
  chunkBytes: 4 * 1024 * 1024,
  atUsage: 0.9,
  growCost: { fixedMs: 1, perMiBMs: 0.25 },
}

/** The Swiotlb options of `policy` for a pool, on `clock`. Accounting only: no backing memory. */
export function policyOptions(
  policy: PolicyName,
  pool: PoolSpec,
  t: PolicyTuning,
  clock: Clock,
): SwiotlbOptions {
  const base: SwiotlbOptions = { size: pool.size, areas: pool.areas, backing: false, clock }
  const cost = { fixedMs: t.growCost.fixedMs, perMiBMs: t.growCost.perMiBMs }
  switch (policy) {
    case 'fail':
      return { ...base, throttle: false }
    case 'rfc':
      return { ...base, throttle: { mode: 'serialize', high: t.high, low: Math.min(t.low, t.high) } }
    case 'throttle':
      return { ...base, throttle: { high: t.high } }
    case 'fair':
      return { ...base, throttle: { high: t.high, fairShare: true } }
    case 'dynamic':
      return {
        ...base,
        throttle: false,
        growth: { background: { atUsage: t.atUsage }, transient: true, chunkBytes: t.chunkBytes, cost },
      }
    case 'hybrid':
      return {
        ...base,
        throttle: { high: t.high },
        growth: {
          waitMs: t.waitMs,
          maxBytes: Math.max(t.maxBytes ?? 2 * pool.size, pool.size),
          chunkBytes: t.chunkBytes,
          cost,
        },
      }
  }
}

/** True when the policy has a high mark worth drawing. */
export function hasThreshold(policy: PolicyName): boolean {
  return policy !== 'fail' && policy !== 'dynamic'
}

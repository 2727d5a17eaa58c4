import { SEGMENT_SLOTS, SLOT_SIZE } from '../index.js'
import { checkRunOptions, checkSpec } from './check-args.js'
import { type PolicyInput, type PolicyName, resolvePolicies } from './policies.js'
import type { PolicyResult } from './result.js'
import { runPolicy } from './run.js'
import type { SimSpec } from './spec.js'

const SEGMENT_BYTES = SEGMENT_SLOTS * SLOT_SIZE
const MIB = 1024 * 1024

export interface SizeOptions {
  seed?: number
  /** Policies to size, by name or alias; default: the spec's. */
  policies?: readonly PolicyInput[]
  /** Largest pool to try, bytes. Default 4 GiB. */
  limitBytes?: number
  onProgress?: (fraction: number) => void
}

/** One policy's answer. The run at `minPoolBytes` is healthy; its speed says what the size costs. */
export interface PolicySize {
  /** The smallest healthy initial pool, bytes; null when none up to the limit. */
  minPoolBytes: number | null
  /** Peak of all pools in the run at that size (growth included), bytes. */
  peakPoolBytes: number | null
  /** IOPS, MiB/s, p99 map wait and p99 completion latency (µs) of that run. */
  iops: number | null
  mibps: number | null
  mapWaitP99Us: number | null
  clatP99Us: number | null
}

export interface SizeResult {
  scenario: string
  policies: Partial<Record<PolicyName, PolicySize>>
}

/** A run is healthy when no I/O failed, none was left stuck and every import got its buffer. */
export function healthy(r: PolicyResult): boolean {
  return r.ioErrors === 0 && r.stuckIos === 0 && r.imports.failed === 0
}

/**
 * The smallest pool each policy needs for a healthy run, by bisection: double from the spec's pool
 * until a run is healthy, then halve the gap down to 1 MiB (256 KiB below 8 MiB). Bisection assumes
 * that a larger pool is never worse, which holds for these policies up to the noise of one seed.
 * Unhealthy runs stop at their first I/O error. Healthy is not fast: the IOPS and latencies of the run
 * at the answer say what the small pool costs.
 */
export async function sizePool(spec: SimSpec, options: SizeOptions = {}): Promise<SizeResult> {
  checkSpec(spec)
  options = checkRunOptions<SizeOptions>(options, ['seed', 'policies', 'limitBytes', 'onProgress'])
  const seed = options.seed ?? 1
  const policies = resolvePolicies(options.policies ?? spec.policies).map((p) => p.name)
  const limit = options.limitBytes ?? 4 * 1024 * MIB
  const result: SizeResult = { scenario: spec.name, policies: {} }
  for (let i = 0; i < policies.length; i++) {
    const policy = policies[i]!
    let probes = 0
    const probe = async (bytes: number): Promise<PolicyResult> => {
      probes++
      options.onProgress?.(Math.min(0.99, (i + 1 - 1 / (probes + 1)) / policies.length))
      const areas = probeAreas(bytes, spec.pool.areas)
      const sized: SimSpec = { ...spec, pool: { size: bytes, areas } }
      return (await runPolicy(sized, policy, seed, undefined, { stopOnError: true })).result
    }
    let hi = spec.pool.size
    let best = await probe(hi)
    while (!healthy(best) && hi < limit) {
      hi = Math.min(limit, hi * 2)
      best = await probe(hi)
    }
    if (!healthy(best)) {
      result.policies[policy] = {
        minPoolBytes: null,
        peakPoolBytes: null,
        iops: null,
        mibps: null,
        mapWaitP99Us: null,
        clatP99Us: null,
      }
      continue
    }
    let lo = 0 // largest size known to be unhealthy (0: none tried)
    for (;;) {
      const step = hi <= 8 * MIB ? SEGMENT_BYTES : MIB
      if (hi - lo <= step) break
      const mid = Math.max(SEGMENT_BYTES, Math.round((lo + hi) / 2 / step) * step)
      if (mid >= hi || mid <= lo) break
      const r = await probe(mid)
      if (healthy(r)) {
        hi = mid
        best = r
      } else lo = mid
    }
    result.policies[policy] = {
      minPoolBytes: hi,
      peakPoolBytes: best.poolBytes.peak,
      iops: best.iops,
      mibps: best.mibps,
      mapWaitP99Us: best.mapWaitUs.p99,
      clatP99Us: best.clatUs['99.00'] ?? 0,
    }
  }
  options.onProgress?.(1)
  return result
}

/**
 * Areas of a probe's pool: at most the spec's, a power of two that splits the pool into whole segments
 * each, so the pool is exactly `bytes` (the rule the kernel follows for dynamic pools).
 */
function probeAreas(bytes: number, areas: number): number {
  const segments = Math.floor(bytes / SEGMENT_BYTES)
  let n = 2 ** Math.floor(Math.log2(Math.max(1, Math.min(areas, segments))))
  while (n > 1 && segments % n !== 0) n /= 2
  return n
}

/** The `size --json` object. */
export function sizeToJson(result: SizeResult): string {
  return JSON.stringify(result, null, 2)
}

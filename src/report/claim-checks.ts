import { growChunkBytes, type PolicyResult, type SimResult, type SimSpec } from '../sim/index.js'
import { count, duration, mib } from './format.js'

/** What one condition of a claim found in a run: whether it held, and the numbers that show it. */
export interface Finding {
  ok: boolean
  shows: string
}

/** One testable part of a scenario's claim. */
interface Condition {
  says: string
  /** Throws Missing when the run lacks a policy or device the condition is about. */
  check: (run: Run) => Finding
}

/** The claim box's answer: every condition held, one did not, or the run could not tell. */
export interface ClaimVerdict {
  verdict: 'held' | 'did not hold' | 'not checked'
  findings: Array<Finding & { says: string }>
  /** Conditions this run could not check (a policy or device it lacks). */
  unchecked: string[]
}

class Missing extends Error {}

/** A run's results, with look-ups that throw Missing for what it lacks. */
class Run {
  constructor(
    readonly result: SimResult,
    readonly spec: SimSpec,
  ) {}
  p(policy: string): PolicyResult {
    const r = (this.result.policies as Record<string, PolicyResult | undefined>)[policy]
    if (r === undefined) throw new Missing(policy)
    return r
  }
  device(policy: string, device: string) {
    const d = this.p(policy).devices[device]
    if (d === undefined) throw new Missing(device)
    return d
  }
  /** The policy's high mark in bytes at the end of the run (its largest). */
  threshold(policy: string): number {
    const t = this.result.series[policy as keyof SimResult['series']]?.timeline.thresholdBytes
    if (t === undefined || t.length === 0) throw new Missing(policy)
    return Math.max(...t)
  }
}

const errors = (r: PolicyResult) => `${count(r.ioErrors)} I/O errors, ${count(r.stuckIos)} stuck`
const fails = (policy: string): Condition => ({
  says: `${policy}: I/Os fail`,
  check: (run) => ({ ok: run.p(policy).ioErrors > 0, shows: errors(run.p(policy)) }),
})
const clean = (policy: string): Condition => ({
  says: `${policy}: no I/O error, none stuck`,
  check: (run) => {
    const r = run.p(policy)
    return { ok: r.ioErrors === 0 && r.stuckIos === 0, shows: errors(r) }
  },
})
const stuck = (policy: string): Condition => ({
  says: `${policy}: I/Os stuck`,
  check: (run) => ({ ok: run.p(policy).stuckIos > 0, shows: `${count(run.p(policy).stuckIos)} stuck` }),
})
const grows = (policy: string): Condition => ({
  says: `${policy}: the pool grows`,
  check: (run) => {
    const r = run.p(policy)
    return {
      ok: r.poolBytes.grown > 0,
      shows: `grew ${mib(r.poolBytes.grown)} to a peak of ${mib(r.poolBytes.peak)}`,
    }
  },
})

/** Each scenario's claim as conditions on one run (the tests' fuller checks: test/sim/claims.ts). */
const CLAIMS: Record<string, Condition[]> = {
  'coco-fio': [
    fails('fail'),
    clean('throttle'),
    {
      says: 'throttle: the high-water mark stays near the threshold (within 10 % of the pool above it)',
      check: (run) => {
        const hw = run.p('throttle').hiwater.exact
        const high = run.threshold('throttle')
        return {
          ok: hw >= high && hw <= high + 0.1 * run.result.poolBytes,
          shows: `${mib(hw)} against a threshold of ${mib(high)}`,
        }
      },
    },
  ],
  'dmabuf-hog': [
    {
      says: 'throttle: I/O stalls behind the import, with no error',
      check: (run) => {
        const r = run.p('throttle')
        return {
          ok: r.ioErrors === 0 && r.mapWaitUs.max >= 100_000,
          shows: `longest map wait ${duration(r.mapWaitUs.max)}; ${errors(r)}`,
        }
      },
    },
    fails('rfc'),
    clean('hybrid'),
    grows('hybrid'),
    {
      says: 'hybrid: within maxBytes',
      check: (run) => {
        const limit = run.spec.tuning.maxBytes ?? 2 * run.spec.pool.size
        const peak = run.p('hybrid').poolBytes.peak
        return { ok: peak <= limit, shows: `peak ${mib(peak)}, maxBytes ${mib(limit)}` }
      },
    },
  ],
  'dynamic-pools': [
    ...(['dynamic', 'hybrid'] as const).map(
      (policy): Condition => ({
        says: `${policy}: each grown pool gets min(areas, slots / 128) areas`,
        check: (run) => {
          const { count: pools, areas } = run.p(policy).pools
          const chunk = growChunkBytes(policy, run.spec.pool, run.spec.tuning) ?? 0
          const grown = Math.min(run.spec.pool.areas, chunk / (128 * 2048))
          const expected = run.spec.pool.areas + grown * (pools - 1)
          return {
            ok: pools > 1 && areas === expected,
            shows: `${pools} pools, ${areas} areas (${expected} expected)`,
          }
        },
      }),
    ),
    fails('dynamic'),
    clean('hybrid'),
  ],
  'hiwater-accuracy': [
    {
      says: 'per-area marks summed say about 4 × the exact mark',
      check: (run) => {
        const r = run.p('fail')
        const ratio = r.hiwater.perAreaSum / r.hiwater.exact
        return {
          ok: ratio >= 3 && r.hiwater.sampled <= r.hiwater.exact,
          shows: `${mib(r.hiwater.perAreaSum)} summed, ${mib(r.hiwater.exact)} exact, ${mib(r.hiwater.sampled)} sampled`,
        }
      },
    },
  ],
  'nvme-polling': [stuck('throttle'), stuck('rfc'), fails('fail'), clean('hybrid')],
  'rpi4-display': [
    ...['fail', 'throttle'].map(
      (policy): Condition => ({
        says: `${policy}: the import fails on a fixed pool`,
        check: (run) => {
          const { ok, failed } = run.p(policy).imports
          return { ok: failed > 0, shows: `${ok} mapped, ${failed} failed` }
        },
      }),
    ),
    {
      says: 'dynamic: transient pools map it',
      check: (run) => {
        const r = run.p('dynamic')
        return {
          ok: r.imports.failed === 0 && r.growth.transients > 0,
          shows: `${r.imports.ok} mapped, ${r.imports.failed} failed, ${count(r.growth.transients)} transient pools`,
        }
      },
    },
  ],
  'snail-cheetah': [
    {
      says: "throttle: the cheetah's maps wait at the snail's pace (p99 over 5 ms)",
      check: (run) => {
        const p99 = run.device('throttle', 'cheetah').mapWaitUs.p99
        return { ok: p99 > 5000, shows: `cheetah map wait p99 ${duration(p99)}` }
      },
    },
    {
      says: "fair-share: the cheetah's map wait stays near zero (p99 under 100 µs)",
      check: (run) => {
        const p99 = run.device('fair-share', 'cheetah').mapWaitUs.p99
        return { ok: p99 < 100, shows: `cheetah map wait p99 ${duration(p99)}` }
      },
    },
  ],
}

/** Checks the claim of the scenario `name` on a run; a name with no claim is 'not checked'. */
export function checkClaim(name: string, result: SimResult, spec: SimSpec): ClaimVerdict {
  const run = new Run(result, spec)
  const findings: ClaimVerdict['findings'] = []
  const unchecked: string[] = []
  for (const c of (Object.hasOwn(CLAIMS, name) ? CLAIMS[name] : undefined) ?? []) {
    try {
      findings.push({ says: c.says, ...c.check(run) })
    } catch (error) {
      if (!(error instanceof Missing)) throw error
      unchecked.push(`${c.says} (the run has no ${error.message})`)
    }
  }
  const verdict = findings.some((f) => !f.ok)
    ? 'did not hold'
    : findings.length > 0 && unchecked.length === 0
      ? 'held'
      : 'not checked'
  return { verdict, findings, unchecked }
}

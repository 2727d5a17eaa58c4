import { ArgumentRangeError } from '../errors.js'
import { checkRunOptions, checkSpec } from './check-args.js'
import { createRunner, defaultJobs, type TaskRunner } from './parallel/runner.js'
import type { RunOutcome } from './parallel/task.js'
import { type PolicyInput, type PolicyName, resolvePolicies } from './policies.js'
import type { PolicyResult } from './result.js'
import { PoolGrid } from './size-grid.js'
import { type PolicySize, sizeOnePolicy } from './size-policy.js'
import type { SimSpec } from './spec.js'

export { MAINLINE_POLICIES, type PolicySize } from './size-policy.js'

const MIB = 1024 * 1024

export interface SizeOptions {
  /** First seed; the runs use `seed` … `seed + seeds − 1`. Default 1. */
  seed?: number
  /** Seeds per candidate size (K). Default 20. */
  seeds?: number
  /** Policies to size, by name or alias; default: the spec's. */
  policies?: readonly PolicyInput[]
  /** Largest pool to try, bytes; also the unconstrained pool throughput is compared with. Default 4 GiB. */
  limitBytes?: number
  /** Also require, in every seed, at least this percentage of the MiB/s of an unconstrained pool. */
  minThroughputPct?: number
  /** Candidates just above an answer that must pass too. Default 2. */
  verifyAbove?: number
  /** Runs at once (worker threads); default: every core. Ignored when `runner` is given. */
  jobs?: number
  /** Where runs go; the caller closes it. Default: a runner of `jobs`, closed at the end. */
  runner?: TaskRunner
  onProgress?: (fraction: number) => void
}

export interface SizeResult {
  scenario: string
  /** The seeds run at every size tried. */
  seeds: { first: number; count: number }
  limitBytes: number
  /** null: zero I/O errors is the only criterion. */
  minThroughputPct: number | null
  /** Sizes just above an answer that had to pass too (fewer where the grid ends: each policy's `sizesAbove`). */
  verifyAbove: number
  policies: Partial<Record<PolicyName, PolicySize>>
}

/** A run is healthy when no I/O failed, none was left stuck and every import got its buffer. */
export function healthy(r: PolicyResult): boolean {
  return r.ioErrors === 0 && r.stuckIos === 0 && r.imports.failed === 0
}

/**
 * The smallest pool each policy needs, as a statistical answer: K seeds at every size tried, sizes in
 * whole segments per area as the kernel lays them out, a search that does not assume a larger pool is
 * never worse (size-search.ts), and for mainline policies the `swiotlb=` value the kernel will really
 * boot with, checked too. Every run is independent and goes to the runner (worker threads); policies
 * are searched side by side. The result depends only on the spec and the options, never on the number
 * of workers.
 */
export async function sizePool(spec: SimSpec, options: SizeOptions = {}): Promise<SizeResult> {
  checkSpec(spec)
  options = checkRunOptions<SizeOptions>(options, [
    'seed',
    'seeds',
    'policies',
    'limitBytes',
    'minThroughputPct',
    'verifyAbove',
    'jobs',
    'runner',
    'onProgress',
  ])
  const first = options.seed ?? 1
  const count = options.seeds ?? 20
  checkWhole('seeds', count, 1)
  checkWhole('seed', first, 0)
  const limit = options.limitBytes ?? 4 * 1024 * MIB
  const pct = options.minThroughputPct
  if (pct !== undefined && !(typeof pct === 'number' && pct > 0 && pct <= 100)) {
    throw new ArgumentRangeError('minThroughputPct', 'a percentage in (0, 100]', pct)
  }
  const policies = resolvePolicies(options.policies ?? spec.policies).map((p) => p.name)
  const verifyAbove = options.verifyAbove ?? 2
  checkWhole('verifyAbove', verifyAbove, 0)
  const seeds = Array.from({ length: count }, (_, i) => first + i)
  const grid = new PoolGrid(spec.pool.areas, limit)
  const runner = options.runner ?? createRunner(options.jobs ?? defaultJobs())
  const fractions = policies.map(() => 0)
  const report = () => options.onProgress?.(fractions.reduce((a, b) => a + b, 0) / policies.length)
  try {
    const answers = await Promise.all(
      policies.map((policy, p) =>
        sizeOnePolicy({
          policy,
          grid,
          seeds,
          cpus: spec.cpus,
          limitBytes: limit,
          minThroughputPct: pct,
          verifyAbove,
          runAt: (index, seed): Promise<RunOutcome> => {
            // The unconstrained pool is the limit, in as many areas as the grid gives its largest size
            // (the spec's, unless the limit is below one segment per area).
            const pool =
              index < 0 ? { size: limit, areas: grid.at(grid.length - 1).areas } : toPool(grid, index)
            return runner.run({ kind: 'run', spec: { ...spec, pool }, policy, seed, stopOnError: index >= 0 })
          },
          onPhase: (f) => {
            fractions[p] = f
            report()
          },
        }),
      ),
    )
    const result: SizeResult = {
      scenario: spec.name,
      seeds: { first, count },
      limitBytes: limit,
      minThroughputPct: pct ?? null,
      verifyAbove,
      policies: {},
    }
    policies.forEach((policy, p) => {
      result.policies[policy] = answers[p]!
    })
    return result
  } finally {
    if (options.runner === undefined) await runner.close()
  }
}

function toPool(grid: PoolGrid, index: number) {
  const c = grid.at(index)
  return { size: c.bytes, areas: c.areas }
}

function checkWhole(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ArgumentRangeError(name, `a whole number from ${min}`, value)
  }
}

/** The `size --json` object: DESIGN §8's `{ scenario, policies: { <policy>: { minPoolBytes } } }`, and more. */
export function sizeToJson(result: SizeResult): string {
  return JSON.stringify(result, null, 2)
}

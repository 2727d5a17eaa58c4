import { createHash } from 'node:crypto'
import { SEGMENT_SLOTS, SLOT_SIZE } from '../index.js'
import { createRunner, defaultJobs, type TaskRunner } from './parallel/runner.js'
import { healthyOutcome, type RunOutcome } from './parallel/task.js'
import { type PolicyName, resolvePolicies } from './policies.js'
import { type Shard, shardRuns, WHOLE } from './shard.js'
import type { SimSpec } from './spec.js'

const SEGMENT_BYTES = SEGMENT_SLOTS * SLOT_SIZE

/** A grid of runs: every spec × policy × pool size × seed. */
export interface SweepGrid {
  specs: readonly SimSpec[]
  /** Policy names or aliases (checked: a name that is no policy throws SpecError). */
  policies: readonly string[]
  /** Initial pool sizes, bytes; empty: each spec's own pool. */
  poolBytes: readonly number[]
  seeds: { first: number; count: number }
}

/** One run of the grid: where it sits, and what it measured (bytes, µs, MiB/s). */
export interface SweepRow extends RunOutcome {
  run: number
  spec: string
  policy: PolicyName
  poolBytes: number
  areas: number
  seed: number
  healthy: boolean
}

/** The first line of a sweep's JSON Lines: what grid the rows belong to. */
export interface SweepHeader {
  kind: 'dma-throttle sweep'
  version: 1
  specs: string[]
  /** SHA-256 (first 16 hex digits) of the specs as run: shards of different specs never merge. */
  specHash: string
  policies: PolicyName[]
  poolBytes: number[]
  seeds: { first: number; count: number }
  runs: number
  /** Present in a shard's output only. */
  shard?: Shard
}

interface GridPoint {
  spec: SimSpec
  policy: PolicyName
  pool: { size: number; areas: number }
  seed: number
}

/** The grid's runs in their one order: spec, then policy, then pool size, then seed. */
export function sweepPoints(grid: SweepGrid): GridPoint[] {
  const policies = resolvePolicies(grid.policies).map((p) => p.name)
  const out: GridPoint[] = []
  for (const spec of grid.specs) {
    const pools = grid.poolBytes.length === 0 ? [spec.pool] : grid.poolBytes.map((b) => poolFor(spec, b))
    for (const policy of policies) {
      for (const pool of pools) {
        for (let s = 0; s < grid.seeds.count; s++)
          out.push({ spec, policy, pool, seed: grid.seeds.first + s })
      }
    }
  }
  return out
}

/** The first line of a sweep's JSON Lines; a shard's (1/1 too) says which shard it is. */
export function sweepHeader(grid: SweepGrid, shard?: Shard): SweepHeader {
  const header: SweepHeader = {
    kind: 'dma-throttle sweep',
    version: 1,
    specs: grid.specs.map((s) => s.name),
    specHash: createHash('sha256').update(JSON.stringify(grid.specs)).digest('hex').slice(0, 16),
    policies: resolvePolicies(grid.policies).map((p) => p.name),
    poolBytes: [...grid.poolBytes],
    seeds: { ...grid.seeds },
    runs: sweepPoints(grid).length,
  }
  if (shard !== undefined) header.shard = { ...shard }
  return header
}

export interface SweepOptions {
  shard?: Shard
  jobs?: number
  runner?: TaskRunner
  /** Called with each row as it completes (in completion order) and the number done. */
  onRow?: (row: SweepRow, done: number, total: number) => void
}

/** Runs the grid's runs of one shard (all of them by default) and returns their rows in grid order. */
export async function runSweep(grid: SweepGrid, options: SweepOptions = {}): Promise<SweepRow[]> {
  const points = sweepPoints(grid)
  const mine = shardRuns(points.length, options.shard ?? WHOLE)
  const runner = options.runner ?? createRunner(options.jobs ?? defaultJobs())
  let done = 0
  try {
    return await Promise.all(
      mine.map(async (run) => {
        const p = points[run]!
        const outcome = await runner.run({
          kind: 'run',
          spec: { ...p.spec, pool: p.pool },
          policy: p.policy,
          seed: p.seed,
          stopOnError: false,
        })
        const row: SweepRow = {
          run,
          spec: p.spec.name,
          policy: p.policy,
          poolBytes: p.pool.size,
          areas: p.pool.areas,
          seed: p.seed,
          healthy: healthyOutcome(outcome),
          ...outcome,
        }
        options.onRow?.(row, ++done, mine.length)
        return row
      }),
    )
  } finally {
    if (options.runner === undefined) await runner.close()
  }
}

/**
 * A pool of `bytes` for `spec`: the spec's areas, fewer when the pool has fewer segments or does not
 * split into whole segments per area (as `--pool` does).
 */
export function poolFor(spec: SimSpec, bytes: number): { size: number; areas: number } {
  const segments = Math.floor(bytes / SEGMENT_BYTES)
  let areas = 2 ** Math.floor(Math.log2(Math.max(1, Math.min(spec.pool.areas, segments))))
  while (areas > 1 && segments % areas !== 0) areas /= 2
  return { size: bytes, areas }
}

/** The JSON Lines of a sweep: the header, then one row per run. */
export function sweepLines(header: SweepHeader, rows: readonly SweepRow[]): string {
  return [header, ...rows].map((line) => `${JSON.stringify(line)}\n`).join('')
}

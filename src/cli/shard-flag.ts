import { parseShard, type Shard, ShardError } from '../sim/index.js'
import { CliUsageError } from './errors.js'

type Env = Readonly<Record<string, string | undefined>>

/**
 * --shard i/n, or `auto` / `auto/n` to take the slice from the distributed runner:
 *
 * - Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` (from 0) is shard index + 1; the count is `n` of
 *   `auto/n`, else `DMA_THROTTLE_SHARDS` (set it to the Job's `completions`).
 * - SLURM job array: `SLURM_ARRAY_TASK_ID`, counted from `SLURM_ARRAY_TASK_MIN` in steps of
 *   `SLURM_ARRAY_TASK_STEP`; the count is `SLURM_ARRAY_TASK_COUNT` (else from MIN, MAX and STEP).
 * - GNU parallel: `PARALLEL_SEQ` (from 1) with `auto/n`.
 */
export function shardFlag(value: string | undefined, env: Env): Shard | undefined {
  if (value === undefined) return undefined
  try {
    const auto = /^auto(?:\/(\d+))?$/.exec(value)
    if (auto === null) return parseShard(value)
    return fromEnv(auto[1] === undefined ? undefined : Number(auto[1]), env)
  } catch (error) {
    if (error instanceof ShardError) throw new CliUsageError(`--shard ${value}: ${error.message}`)
    throw error
  }
}

function fromEnv(given: number | undefined, env: Env): Shard {
  const k8s = env['JOB_COMPLETION_INDEX']
  if (k8s !== undefined && k8s !== '') {
    const index = whole('JOB_COMPLETION_INDEX', k8s) + 1
    const count = given ?? countFrom(env, 'DMA_THROTTLE_SHARDS', 'JOB_COMPLETION_INDEX')
    return parseShard(`${index}/${count}`)
  }
  const slurm = env['SLURM_ARRAY_TASK_ID']
  if (slurm !== undefined && slurm !== '') {
    const id = whole('SLURM_ARRAY_TASK_ID', slurm)
    const min = optional(env, 'SLURM_ARRAY_TASK_MIN') ?? 0
    const step = optional(env, 'SLURM_ARRAY_TASK_STEP') ?? 1
    const max = optional(env, 'SLURM_ARRAY_TASK_MAX')
    const count =
      given ??
      optional(env, 'SLURM_ARRAY_TASK_COUNT') ??
      (max === undefined ? undefined : Math.floor((max - min) / step) + 1)
    if (count === undefined) {
      throw new ShardError('SLURM_ARRAY_TASK_COUNT is not set (nor SLURM_ARRAY_TASK_MAX): use --shard auto/n')
    }
    if ((id - min) % step !== 0) throw new ShardError(`SLURM_ARRAY_TASK_ID ${id} is not MIN + k × STEP`)
    return parseShard(`${(id - min) / step + 1}/${count}`)
  }
  const seq = env['PARALLEL_SEQ']
  if (seq !== undefined && seq !== '') {
    if (given === undefined) throw new ShardError('under GNU parallel, give the count: --shard auto/n')
    return parseShard(`${whole('PARALLEL_SEQ', seq)}/${given}`)
  }
  throw new ShardError(
    'no shard index in the environment (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or PARALLEL_SEQ)',
  )
}

function countFrom(env: Env, name: string, indexName: string): number {
  const value = env[name]
  if (value === undefined || value === '') {
    throw new ShardError(`${indexName} is set but the shard count is not: set ${name} or use --shard auto/n`)
  }
  return whole(name, value)
}

function optional(env: Env, name: string): number | undefined {
  const value = env[name]
  return value === undefined || value === '' ? undefined : whole(name, value)
}

function whole(name: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw new ShardError(`${name} should be a whole number, got ${JSON.stringify(value)}`)
  return Number(value)
}

import { describe, expect, it } from 'vitest'
import { CliUsageError } from '../../src/cli/errors.js'
import { shardFlag } from '../../src/cli/shard-flag.js'

describe('--shard', () => {
  it('i/n, counted from 1', () => {
    expect(shardFlag('2/4', {})).toEqual({ index: 2, count: 4 })
    expect(shardFlag(undefined, {})).toBeUndefined()
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) {
      expect(() => shardFlag(bad, {})).toThrow(CliUsageError)
      expect(() => shardFlag(bad, {})).toThrow(`--shard ${bad}: Expected a shard as i/n with 1 ≤ i ≤ n`)
    }
  })

  it('auto: a Kubernetes Indexed Job’s JOB_COMPLETION_INDEX (from 0), the count from auto/n or DMA_THROTTLE_SHARDS', () => {
    expect(shardFlag('auto', { JOB_COMPLETION_INDEX: '0', DMA_THROTTLE_SHARDS: '4' })).toEqual({
      index: 1,
      count: 4,
    })
    expect(shardFlag('auto/8', { JOB_COMPLETION_INDEX: '7' })).toEqual({ index: 8, count: 8 })
    expect(() => shardFlag('auto', { JOB_COMPLETION_INDEX: '3' })).toThrow(
      '--shard auto: JOB_COMPLETION_INDEX is set but the shard count is not: set DMA_THROTTLE_SHARDS or use --shard auto/n',
    )
    expect(() => shardFlag('auto', { JOB_COMPLETION_INDEX: '4', DMA_THROTTLE_SHARDS: '4' })).toThrow(
      'Expected a shard as i/n with 1 ≤ i ≤ n, e.g. 2/4, got "5/4"',
    )
  })

  it('auto: a SLURM job array, from SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP', () => {
    const env = {
      SLURM_ARRAY_TASK_ID: '0',
      SLURM_ARRAY_TASK_MIN: '0',
      SLURM_ARRAY_TASK_MAX: '3',
      SLURM_ARRAY_TASK_COUNT: '4',
    }
    expect(shardFlag('auto', env)).toEqual({ index: 1, count: 4 })
    expect(shardFlag('auto', { ...env, SLURM_ARRAY_TASK_ID: '3' })).toEqual({ index: 4, count: 4 })
    // --array=1-4: ids from 1.
    expect(
      shardFlag('auto', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4' }),
    ).toEqual({
      index: 4,
      count: 4,
    })
    // --array=0-14:2 → 0, 2, … 14: 8 tasks.
    const stepped = {
      SLURM_ARRAY_TASK_ID: '6',
      SLURM_ARRAY_TASK_MIN: '0',
      SLURM_ARRAY_TASK_MAX: '14',
      SLURM_ARRAY_TASK_STEP: '2',
    }
    expect(shardFlag('auto', stepped)).toEqual({ index: 4, count: 8 })
    expect(() => shardFlag('auto', { SLURM_ARRAY_TASK_ID: '2' })).toThrow('SLURM_ARRAY_TASK_COUNT is not set')
    expect(() => shardFlag('auto', { ...env, SLURM_ARRAY_TASK_ID: 'x' })).toThrow(
      'SLURM_ARRAY_TASK_ID should be a whole number, got "x"',
    )
  })

  it('auto: GNU parallel’s PARALLEL_SEQ (from 1) with auto/n; nothing in the environment is an error', () => {
    expect(shardFlag('auto/4', { PARALLEL_SEQ: '3' })).toEqual({ index: 3, count: 4 })
    expect(() => shardFlag('auto', { PARALLEL_SEQ: '3' })).toThrow('give the count: --shard auto/n')
    expect(() => shardFlag('auto', {})).toThrow(
      '--shard auto: no shard index in the environment (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or PARALLEL_SEQ)',
    )
  })
})

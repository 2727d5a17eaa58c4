import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseArgs } from '../../src/cli/args.js'
import { shardFlag } from '../../src/cli/shard-flag.js'

// The recipes in docs/recipes/ are files a user applies as they are: each must parse as our command
// line, and the environment its runner sets must give every shard exactly once.
const read = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'recipes', name), 'utf8')

function expectEveryShardOnce(shards: Array<{ index: number; count: number } | undefined>, n: number): void {
  expect(shards.map((s) => s?.count)).toEqual(Array(n).fill(n))
  expect(shards.map((s) => s?.index).sort((a, b) => a! - b!)).toEqual(
    Array.from({ length: n }, (_, i) => i + 1),
  )
}

describe('docs/recipes', () => {
  it('Kubernetes Indexed Job: JOB_COMPLETION_INDEX 0…completions−1 and DMA_THROTTLE_SHARDS make every shard', () => {
    const yaml = read('k8s-indexed-job.yaml')
    expect(yaml).toMatch(/^ {2}completionMode: Indexed$/m)
    const completions = Number(/^ {2}completions: (\d+)$/m.exec(yaml)![1])
    const count = /- name: DMA_THROTTLE_SHARDS\n\s+value: "(\d+)"/.exec(yaml)![1]!
    expect(Number(count)).toBe(completions)
    const args = JSON.parse(/^\s+args: (\[.*\])$/m.exec(yaml)![1]!) as string[]
    const parsed = parseArgs(args)
    expect(parsed.command).toBe('sweep')
    expect(parsed.shard).toBe('auto')
    const shards = Array.from({ length: completions }, (_, i) =>
      shardFlag(parsed.shard, { JOB_COMPLETION_INDEX: String(i), DMA_THROTTLE_SHARDS: count }),
    )
    expectEveryShardOnce(shards, completions)
  })

  it('SLURM job array: the array range makes every shard', () => {
    const script = read('slurm.sbatch')
    const [, min, max] = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(script)!.map(Number)
    const line = /^dma-throttle (.*)$/m.exec(script)![1]!
    const parsed = parseArgs(line.replace(/"\$\{SLURM_CPUS_PER_TASK:-4\}"/, '4').split(' '))
    expect(parsed.command).toBe('sweep')
    const n = max! - min! + 1
    const shards = Array.from({ length: n }, (_, i) =>
      shardFlag(parsed.shard, {
        SLURM_ARRAY_TASK_ID: String(min! + i),
        SLURM_ARRAY_TASK_MIN: String(min),
        SLURM_ARRAY_TASK_MAX: String(max),
        SLURM_ARRAY_TASK_COUNT: String(n),
      }),
    )
    expectEveryShardOnce(shards, n)
  })

  it('GNU parallel: {} runs over 1…N and each job is shard {}/N', () => {
    const script = read('gnu-parallel.sh')
    const n = Number(/^N=(\d+)$/m.exec(script)![1])
    const command = /parallel -j "\$N" "dma-throttle (.*) > shard-\{\}\.jsonl"/.exec(script)![1]!
    const shards = Array.from({ length: n }, (_, i) => {
      const parsed = parseArgs(
        command
          .replaceAll('{}', String(i + 1))
          .replaceAll('$N', String(n))
          .split(' '),
      )
      expect(parsed.command).toBe('sweep')
      return shardFlag(parsed.shard, {})
    })
    expectEveryShardOnce(shards, n)
    expect(script).toContain('dma-throttle merge shard-*.jsonl')
  })
})

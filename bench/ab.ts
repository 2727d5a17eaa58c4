import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type * as Library from '../src/index.js'

/**
 * `npm run ab -- <srcA> <srcB> [workload]`: is copy B of src/ faster than copy A on a hot path?
 *
 * Both copies run in one process, alternating batches, and the ratio of their medians is taken. On the
 * reference machine the copy loaded second gains up to 20 % by itself (an A/A run shows it), so the
 * run is made twice, once in each load order, in two processes, and the two ratios are combined
 * (geometric mean): the order's bias cancels. Workloads: `cb` (10,000 withMapping calls through a
 * budget of 16, the default), `manual` (the same with map + await + unmap), `uncontended`.
 */

const TASKS = 10_000
const ROUNDS = 80
const WARMUP = 10

type Lib = typeof Library

function workload(lib: Lib, name: string): () => Promise<unknown> {
  const work = async (): Promise<void> => {
    await null
  }
  if (name === 'uncontended') {
    const dma = new lib.Swiotlb({ backing: false })
    return async () => {
      for (let i = 0; i < TASKS; i++) (await dma.map(4096, true)).unmap()
    }
  }
  const dma = new lib.Swiotlb({ size: '256K', backing: false, throttle: { high: 0.125 } })
  const task =
    name === 'manual'
      ? async () => {
          const m = await dma.map(2048, true)
          await null
          m.unmap()
        }
      : () => dma.withMapping(2048, true, work)
  if (name !== 'manual' && name !== 'cb')
    throw new RangeError(`Unknown workload ${name}; expected cb, manual or uncontended`)
  return () => Promise.all(Array.from({ length: TASKS }, task))
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]!
}

/** One process: loads `first` then `second`, alternates them, prints median(second) / median(first). */
async function child(first: string, second: string, name: string): Promise<void> {
  const load = async (dir: string) => (await import(pathToFileURL(resolve(dir, 'index.ts')).href)) as Lib
  const runs = [workload(await load(first), name), workload(await load(second), name)]
  const times: number[][] = [[], []]
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const t = performance.now()
      await runs[k]!()
      if (r >= WARMUP) times[k]!.push(performance.now() - t)
    }
  }
  console.log(median(times[1]!) / median(times[0]!))
}

function ratio(first: string, second: string, name: string): number {
  const self = fileURLToPath(import.meta.url)
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', first, second, name], {
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`ab: child failed\n${r.stderr}`)
  return Number(r.stdout.trim())
}

const args = process.argv.slice(2)
if (args[0] === '--child') await child(args[1]!, args[2]!, args[3]!)
else {
  const [a, b, name = 'cb'] = args
  if (a === undefined || b === undefined)
    throw new RangeError('usage: npm run ab -- <srcA> <srcB> [workload]')
  const bSecond = ratio(a, b, name) // B / A with B loaded second
  const aSecond = ratio(b, a, name) // A / B with A loaded second
  const estimate = Math.sqrt(bSecond / aSecond)
  console.log(
    `${name}: B/A ${bSecond.toFixed(3)} (B loaded second), ${(1 / aSecond).toFixed(3)} (A loaded second); estimate ${estimate.toFixed(3)}`,
  )
}

import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type * as Library from '../src/index.js'
import { median, shiftPhase } from './harness.js'

/**
 * `npm run ab -- <srcA> <srcB> [workload] [--pairs N] [--semi MiB]`: is copy B of src/ faster than copy A on a hot
 * path?
 *
 * Each copy runs alone in a process of its own, and the processes alternate A, B, A, B, ... so that a
 * neighbour's load that comes and goes touches both. Each process reports the median CPU time per task
 * over its batches; the answer is the median over pairs of B ÷ A. Two copies in one process disturb
 * each other instead (the heap and the garbage are shared, and the copy loaded second ran up to 20 %
 * faster by itself). A/A runs of this method gave 0.99, 1.02 and, in a burst of load on the machine,
 * 1.32: repeat a run before believing an effect under about 15 %.
 * Every batch starts after a phase shift (bench/harness.ts shiftPhase). `--semi` fixes V8's young
 * generation at that many MiB (min = max semi-space): left to itself it grows and shrinks with what
 * survives, and the same tree then ran 1.3× or 2.3× p-limit from one process to the next.
 * Either copy may be `limiter`: the minimal FIFO limiter (bench/throttle/limiter-lib.ts), for the one-call
 * workloads only, to price a copy against the least a fair weighted FIFO does in the same harness.
 * Workloads: `cb` (10,000 withMapping calls through a budget of 16, the default), `manual` (the same
 * with map + await + unmap), `uncontended`, `weighted` (10,000 withMapping calls of 1..32 slots through
 * a budget of 256) and `weighted-manual` (the same with map + await work() + unmap, as
 * bench/throttle/blocking.ts's weighted case).
 */

const TASKS = 10_000
const BATCHES = 60
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
  if (name === 'weighted' || name === 'weighted-manual') {
    // 1024 slots × high 0.25 = a blocking budget of 256 slots.
    const dma = new lib.Swiotlb({ size: '2M', backing: false, throttle: { high: 0.25 } })
    const bytes = Array.from({ length: TASKS }, (_, i) => (1 + ((i * 7919 + 13) % 32)) * lib.SLOT_SIZE)
    if (name === 'weighted') return () => Promise.all(bytes.map((n) => dma.withMapping(n, true, work)))
    const task = async (n: number) => {
      const m = await dma.map(n, true)
      await work()
      m.unmap()
    }
    return () => Promise.all(bytes.map(task))
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
    throw new RangeError(
      `Unknown workload ${name}; expected cb, manual, uncontended, weighted or weighted-manual`,
    )
  return () => Promise.all(Array.from({ length: TASKS }, task))
}

/** One process, one copy: prints the median CPU ns per task over its batches (after a warm-up). */
async function child(dir: string, name: string): Promise<void> {
  if (dir === 'limiter' && name !== 'cb' && name !== 'weighted')
    throw new RangeError(`ab: the limiter runs the one-call workloads (cb, weighted), not ${name}`)
  const lib = (dir === 'limiter'
    ? await import('./throttle/limiter-lib.js')
    : await import(pathToFileURL(resolve(dir, 'index.ts')).href)) as unknown as Lib
  const run = workload(lib, name)
  const times: number[] = []
  for (let b = 0; b < BATCHES; b++) {
    shiftPhase()
    const start = process.cpuUsage()
    await run()
    const used = process.cpuUsage(start)
    if (b >= WARMUP) times.push(((used.user + used.system) * 1000) / TASKS)
  }
  console.log(median(times))
}

function measure(dir: string, name: string, semi: string | undefined, cpu: string | undefined): number {
  const self = fileURLToPath(import.meta.url)
  const flags = semi === undefined ? [] : [`--min-semi-space-size=${semi}`, `--max-semi-space-size=${semi}`]
  const node = [process.execPath, ...flags, '--import', 'tsx', self, '--child', dir, name]
  // `--cpu`: every process on that CPU (Linux's taskset), so that A and B never run on different ones.
  const [command, ...argv] = cpu === undefined ? node : ['taskset', '--cpu-list', cpu, ...node]
  const r = spawnSync(command!, argv, { encoding: 'utf8' })
  if (r.error !== undefined) throw new Error(`ab: cannot start ${command}: ${r.error.message}`)
  if (r.status !== 0) throw new Error(`ab: child failed\n${r.stderr}`)
  return Number(r.stdout.trim())
}

const args = process.argv.slice(2)
if (args[0] === '--child') await child(args[1]!, args[2]!)
else {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { pairs: { type: 'string', default: '8' }, semi: { type: 'string' }, cpu: { type: 'string' } },
  })
  const [a, b, name = 'cb'] = positionals
  const pairs = Number(values.pairs)
  if (a === undefined || b === undefined || !(pairs >= 1))
    throw new RangeError('usage: npm run ab -- <srcA> <srcB> [workload] [--pairs N]')
  const as: number[] = []
  const bs: number[] = []
  for (let i = 0; i < pairs; i++) {
    as.push(measure(a, name, values.semi, values.cpu))
    bs.push(measure(b, name, values.semi, values.cpu))
  }
  const ns = (v: number[]) => v.map((t) => Math.round(t)).join(' ')
  console.log(`A ns/task: ${ns(as)}\nB ns/task: ${ns(bs)}`)
  console.log(
    `${name}: B/A ${median(bs.map((t, i) => t / as[i]!)).toFixed(3)} (median over ${pairs} pairs); medians A ${Math.round(median(as))}, B ${Math.round(median(bs))} ns/task`,
  )
}

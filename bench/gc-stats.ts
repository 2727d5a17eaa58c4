import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { shiftPhase } from './harness.js'
import { lib } from './lib.js'
import { MinimalLimiter } from './throttle/reference.js'
import { OPS, TASKS, WORKLOADS } from './workloads.js'

/**
 * `node --import tsx bench/gc-stats.ts <workload> [--batches N] [--shift] [--semi MiB]`: what the garbage
 * collector does for one hot path (a workload of bench/workloads.ts). A child process runs the workload
 * under `--trace-gc-nvp`; this parses its scavenges and reports, per batch and per operation,
 * scavenges, the bytes they copied (new_space_survived) and promoted, mark-compacts, and the child's
 * median CPU ns per operation. `--shift` shifts the scavenges' phase before every batch, as `npm run norm
 * -- --shift` does (the shift's own scavenges are counted too; its garbage does not survive). `--semi` sets V8's --max-semi-space-size (MiB; default 16 on 64-bit).
 *
 * `node --expose-gc --import tsx bench/gc-stats.ts --live <contended|contended-cb|reference-manual>`:
 * the heap each waiting task holds (16 mappings hold the budget, 10,000 tasks wait, heap after a full
 * GC, less the heap before, over 10,000).
 */

interface ChildResult {
  nsPerOp: number
}

async function child(name: string, batches: number, shift: boolean): Promise<void> {
  const run = WORKLOADS[name]!()
  const ops = OPS[name] ?? TASKS
  const times: number[] = []
  for (let b = 0; b < batches; b++) {
    if (shift) shiftPhase()
    const start = process.cpuUsage()
    await run()
    const used = process.cpuUsage(start)
    times.push(((used.user + used.system) * 1000) / ops)
  }
  times.sort((a, b) => a - b)
  const result: ChildResult = { nsPerOp: times[times.length >> 1]! }
  console.log(`RESULT ${JSON.stringify(result)}`)
}

async function live(name: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('--live needs node --expose-gc')
  const work = async (): Promise<void> => {
    await null
  }
  const dma = new lib.Swiotlb({ size: '256K', backing: false, throttle: { high: 0.125 } })
  const minimal = new MinimalLimiter(16)
  for (let i = 0; i < 16; i++) {
    if (name === 'reference-manual') await minimal.acquire(1)
    else await dma.map(2048, true)
  }
  const task: Record<string, () => Promise<unknown>> = {
    contended: async () => {
      const m = await dma.map(2048, true)
      await work()
      m.unmap()
    },
    'contended-cb': () => dma.withMapping(2048, true, work),
    'reference-manual': async () => {
      const n = await minimal.acquire(1)
      await work()
      minimal.release(n)
    },
  }
  const make = task[name]
  if (make === undefined) throw new RangeError(`--live: expected contended, contended-cb or reference-manual`)
  gc()
  const before = process.memoryUsage().heapUsed
  const waiting = Array.from({ length: TASKS }, () => make())
  gc()
  const after = process.memoryUsage().heapUsed
  console.log(`${name}: ${((after - before) / TASKS).toFixed(0)} bytes held per waiting task`)
  void waiting
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    batches: { type: 'string', default: '40' },
    semi: { type: 'string' },
    child: { type: 'boolean', default: false },
    live: { type: 'boolean', default: false },
    shift: { type: 'boolean', default: false },
  },
})
const name = positionals[0] ?? 'contended'
if (!values.live && WORKLOADS[name] === undefined)
  throw new RangeError(`Unknown workload ${name}; expected one of ${Object.keys(WORKLOADS).join(', ')}`)
const batches = Number(values.batches)
if (values.live) await live(name)
else if (values.child) await child(name, batches, values.shift)
else {
  const flags = [
    '--trace-gc-nvp',
    ...(values.semi === undefined ? [] : [`--max-semi-space-size=${values.semi}`]),
  ]
  const self = fileURLToPath(import.meta.url)
  const r = spawnSync(
    process.execPath,
    [
      ...flags,
      '--import',
      'tsx',
      self,
      name,
      '--child',
      '--batches',
      String(batches),
      ...(values.shift ? ['--shift'] : []),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 28, env: process.env },
  )
  if (r.status !== 0) throw new Error(`gc-stats: child failed\n${r.stderr}`)
  let scavenges = 0
  let compactions = 0
  let copied = 0
  let promoted = 0
  let result: ChildResult | undefined
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7)) as ChildResult
    const field = (key: string): number => Number(new RegExp(`\\b${key}=([0-9.]+)`).exec(line)?.[1] ?? 0)
    if (/\bgc=s\b/.test(line)) {
      scavenges++
      copied += field('new_space_survived')
      promoted += field('promoted')
    } else if (/\bgc=(mc|mmc|ms)\b/.test(line)) compactions++
  }
  const ops = batches * (OPS[name] ?? TASKS)
  console.log(
    `${name}${values.semi === undefined ? '' : ` (semi-space ${values.semi} MiB)`}: ${(scavenges / batches).toFixed(2)} scavenges per batch, ` +
      `${(copied / ops).toFixed(0)} B copied and ${(promoted / ops).toFixed(0)} B promoted per op, ` +
      `${compactions} mark-compacts in ${batches} batches; median ${result?.nsPerOp.toFixed(0)} CPU ns per op`,
  )
}

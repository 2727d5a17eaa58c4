import { mkdirSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { parseArgs } from 'node:util'
import { OPS, TASKS, WORKLOADS, type Workload } from './workloads.js'

/**
 * `npm run profile -- <workload>`: runs one hot path for a while under V8's sampling profiler and
 * prints where the time goes (self time by function, then by file). The raw profile is written to
 * bench/profiles/<workload>.cpuprofile for Chrome DevTools or speedscope.
 * `--alloc` samples allocations instead and prints the bytes allocated per operation, by function.
 */

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number }
  selfSize: number
  children: HeapNode[]
}

/**
 * Samples every allocation (interval 32 bytes: V8 then records nearly all of them) over 50 calls
 * and prints bytes per operation by allocating function.
 */
async function allocations(session: Session, run: Workload, top: number): Promise<void> {
  await session.post('HeapProfiler.enable')
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 32,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
  const calls = 50
  for (let i = 0; i < calls; i++) await run()
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
    profile: { head: HeapNode }
  }
  const ops = calls * (OPS[name] ?? TASKS)
  const perFn = new Map<string, number>()
  const walk = (n: HeapNode): void => {
    if (n.selfSize > 0) {
      const f = n.callFrame
      const file = f.url === '' ? '(native)' : f.url.replace(/^.*\/(node_modules|src|bench|dist)\//, '$1/')
      const key = `${f.functionName || '(anonymous)'}  ${file}:${f.lineNumber + 1}`
      perFn.set(key, (perFn.get(key) ?? 0) + n.selfSize)
    }
    for (const c of n.children) walk(c)
  }
  walk(profile.head)
  const total = [...perFn.values()].reduce((a, b) => a + b, 0)
  console.log(`${name}: ${(total / ops).toFixed(0)} bytes allocated per operation (sampled), by function`)
  for (const [k, v] of [...perFn].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${(v / ops).toFixed(1).padStart(8)} B  ${k}`)
}

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
}

function summarize(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const perFn = new Map<string, number>()
  const perFile = new Map<string, number>()
  for (const id of profile.samples) {
    const f = byId.get(id)!.callFrame
    const file = f.url === '' ? '(native)' : f.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')
    const fn = `${f.functionName || '(anonymous)'}  ${file}:${f.lineNumber + 1}`
    perFn.set(fn, (perFn.get(fn) ?? 0) + 1)
    perFile.set(file, (perFile.get(file) ?? 0) + 1)
  }
  const total = profile.samples.length
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n')
  return `self time, ${total} samples\n\nby function\n${rows(perFn, top)}\n\nby file\n${rows(perFile, 10)}`
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '3' },
    top: { type: 'string', default: '20' },
    alloc: { type: 'boolean', default: false },
  },
})
const name = positionals[0] ?? 'contended'
const make = WORKLOADS[name]
if (make === undefined)
  throw new RangeError(`Unknown workload ${name}; expected one of ${Object.keys(WORKLOADS).join(', ')}`)
const run = make()
// Warm up first, so that the profile shows optimized code, not the interpreter.
for (let i = 0; i < 20; i++) await run()
const session = new Session()
session.connect()
if (values.alloc) {
  await allocations(session, run, Number(values.top))
  session.disconnect()
  process.exit(0)
}
await session.post('Profiler.enable')
await session.post('Profiler.setSamplingInterval', { interval: 100 })
await session.post('Profiler.start')
const end = performance.now() + Number(values.seconds) * 1000
let rounds = 0
while (performance.now() < end) {
  await run()
  rounds++
}
const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile }
session.disconnect()
mkdirSync(new URL('./profiles/', import.meta.url), { recursive: true })
writeFileSync(new URL(`./profiles/${name}.cpuprofile`, import.meta.url), JSON.stringify(profile))
console.log(`${name}: ${rounds} rounds in ${values.seconds} s`)
console.log(summarize(profile, Number(values.top)))

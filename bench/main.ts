import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { bounce } from './allocator/bounce.js'
import { memory } from './allocator/memory.js'
import { poolSize } from './allocator/pool-size.js'
import type { BenchCase, CaseResult, RunOptions } from './case.js'
import { pools } from './growth/pools.js'
import { fmt } from './harness.js'
import { libSource } from './lib.js'
import { printForParent, runInProcesses } from './processes.js'
import { machine, markdown, type Report, spreadText, verdict } from './report.js'
import { simulator } from './sim/scenario.js'
import { threads } from './threads/threads.js'
import { contended, uncontended, weighted } from './throttle/blocking.js'

/** Every case, in the order they run; the simulator comes last. */
const CASES: readonly BenchCase[] = [
  uncontended,
  contended,
  weighted,
  poolSize,
  bounce,
  pools,
  memory,
  threads,
  simulator,
]

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string', default: '7' },
    time: { type: 'string', default: '200' },
    clock: { type: 'string', default: 'cpu' },
    gc: { type: 'boolean', default: false },
    processes: { type: 'string', default: '5' },
    /** Internal: run the selected cases here and print their results for the parent (processes.ts). */
    child: { type: 'boolean', default: false },
  },
})

const clock = values.clock
if (clock !== 'wall' && clock !== 'cpu')
  throw new RangeError(`Expected \`--clock\` to be 'wall' or 'cpu', got ${clock}`)
const options: RunOptions = {
  rounds: Number(values.rounds),
  timeMs: Number(values.time),
  clock,
  gc: values.gc,
}
if (!(Number.isInteger(options.rounds) && options.rounds >= 1))
  throw new RangeError(`Expected \`--rounds\` to be a whole number >= 1, got ${values.rounds}`)
if (!(options.timeMs > 0))
  throw new RangeError(`Expected \`--time\` to be a number of ms > 0, got ${values.time}`)

const processes = Number(values.processes)
if (!(Number.isInteger(processes) && processes >= 1))
  throw new RangeError(`Expected \`--processes\` to be a whole number >= 1, got ${values.processes}`)

// A result id another case's run returns (contended-manual, pools-map) selects that case.
const caseOf = (id: string): string | undefined =>
  CASES.find((c) => c.id === id || c.alsoReports?.includes(id) === true)?.id
const asked = values.only?.split(',').map((s) => s.trim())
const unknown = asked?.filter((id) => caseOf(id) === undefined) ?? []
const only = asked === undefined ? undefined : [...new Set(asked.map((id) => caseOf(id) ?? id))]
if (unknown.length > 0) {
  throw new RangeError(
    `Unknown case ${unknown.join(', ')}; expected one of ${CASES.flatMap((c) => [c.id, ...(c.alsoReports ?? [])]).join(', ')}`,
  )
}
const selected = only === undefined ? CASES : CASES.filter((c) => only.includes(c.id))

if (values.child) {
  const results: CaseResult[] = []
  for (const c of selected) {
    const out = await c.run(options)
    results.push(...(Array.isArray(out) ? out : [out]))
  }
  printForParent(results)
  process.exit(0)
}

const started = performance.now()
const results: CaseResult[] = []
for (const c of selected) {
  const t0 = performance.now()
  const out = processes === 1 ? await c.run(options) : runInProcesses(c.id, processes, options)
  for (const r of Array.isArray(out) ? out : [out]) {
    results.push(r)
    const value = r.value === undefined ? (r.skipped ?? '—') : `${fmt(r.value)} ${r.unit}${spreadText(r)}`
    console.log(
      `${verdict(r).replace(/\*/g, '').padEnd(8)} ${r.id.padEnd(12)} ${value}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    )
    for (const m of r.raw) console.log(`         ${m.label}: ${fmt(m.value)} ${m.unit}`)
  }
}

const report: Report = {
  date: new Date().toISOString(),
  machine: machine(),
  options,
  processes,
  source: libSource,
  durationSeconds: (performance.now() - started) / 1000,
  cases: results,
}
if (only === undefined) {
  const doc = new URL('../docs/benchmarks.md', import.meta.url)
  // Keep the sections other scripts write (bench/parallel.ts, bench/replay-stream.ts): <!-- id:start -->…<!-- id:end -->.
  const kept = [...readFileSync(doc, 'utf8').matchAll(/<!-- ([\w-]+):start -->[\s\S]*?<!-- \1:end -->\n/g)]
  writeFileSync(doc, `${[markdown(report).trimEnd(), ...kept.map((m) => m[0].trimEnd())].join('\n\n')}\n`)
  console.log('wrote docs/benchmarks.md')
} else console.log('partial run (--only): docs/benchmarks.md left as it was')
if (values.json) {
  const path = fileURLToPath(new URL('./results.json', import.meta.url))
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`)
  // Keep the file as the linter formats it, so that `biome check .` stays clean after a run.
  spawnSync('npx', ['biome', 'format', '--write', path], { stdio: 'ignore' })
  console.log('wrote bench/results.json')
}

// How much faster independent simulation runs get on more cores: the same sweep with --jobs 1 (in this
// thread) and --jobs N (a piscina pool of N worker threads), alternating, wall clock, median of rounds.
// Checks that both give the same rows. Writes its section of docs/benchmarks.md (between the markers),
// which `npm run bench` keeps: one section from the sources, one with --dist from the build.
//
//   npm run bench:parallel                      # coco-fio, fail + throttle, 10 seeds, 3 rounds, jobs 1 vs 2
//   npm run bench:parallel -- --jobs 16 --seeds 16
//   npm run bench:parallel -- --seeds 2 --rounds 1 --print   # a quick check; docs/ untouched
import { readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import type { SweepGrid } from '../src/sim/index.js'
import { median } from './harness.js'

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2' },
    seeds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    scenario: { type: 'string', default: 'coco-fio' },
    // Prints the section without writing docs/benchmarks.md (Node 20's parseArgs has no --no-write).
    print: { type: 'boolean', default: false },
    // The built package (npm run build first): workers start from dist/, as an installed CLI's do,
    // without registering tsx and transforming the sources in every worker.
    dist: { type: 'boolean', default: false },
  },
})
const sim: typeof import('../src/sim/index.js') = await import(
  values.dist ? '../dist/sim/index.js' : '../src/sim/index.js'
)
const { findScenario, parseSpec, runSweep } = sim
const jobs = Number(values.jobs)
const rounds = Number(values.rounds)
const grid: SweepGrid = {
  specs: [parseSpec(findScenario(values.scenario).spec)],
  policies: ['fail', 'throttle'],
  poolBytes: [],
  seeds: { first: 1, count: Number(values.seeds) },
}
const runs = grid.specs.length * grid.policies.length * grid.seeds.count

async function timed(n: number): Promise<{ ms: number; cpuMs: number; text: string }> {
  const t0 = performance.now()
  const cpu0 = process.cpuUsage() // every thread of the process: the workers' CPU time counts
  const rows = await runSweep(grid, { jobs: n })
  const cpu = process.cpuUsage(cpu0)
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, text: JSON.stringify(rows) }
}

const serial: number[] = []
const parallel: number[] = []
const cpuMs: Record<'serial' | 'parallel', number[]> = { serial: [], parallel: [] }
const loadBefore = loadavg()[0]!
let reference: string | undefined
for (let r = 0; r < rounds; r++) {
  // Alternate which goes first, so that a neighbour's burst does not always hit the same one.
  for (const n of r % 2 === 0 ? [1, jobs] : [jobs, 1]) {
    const { ms, cpuMs: cpu, text } = await timed(n)
    reference ??= text
    if (text !== reference) throw new Error(`--jobs ${n} gave other rows than --jobs 1`)
    ;(n === 1 ? serial : parallel).push(ms)
    cpuMs[n === 1 ? 'serial' : 'parallel'].push(cpu)
    console.log(
      `round ${r + 1}: --jobs ${n}: ${(ms / 1000).toFixed(1)} s wall, ${(cpu / 1000).toFixed(1)} s CPU`,
    )
  }
}
const loadAfter = loadavg()[0]!
const speedup = median(serial) / median(parallel)
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const date = new Date().toISOString()
const id = values.dist ? 'parallel-dist' : 'parallel-src'
const section = `<!-- ${id}:start -->
## Worker threads: \`npm run bench:parallel${values.dist ? ' -- --dist' : ''}\`

Written by \`npm run bench:parallel${values.dist ? ' -- --dist' : ''}\` (kept by \`npm run bench\`), ${values.dist ? 'the built package (dist/, as installed)' : 'from the TypeScript sources (each worker registers tsx)'}. The same sweep (${values.scenario}, fail and
throttle, its own pool, ${grid.seeds.count} seeds: ${runs} independent runs) with \`--jobs 1\` (in the main thread) and
\`--jobs ${jobs}\` (a piscina pool of ${jobs} worker threads, started inside the timing), alternating, wall clock;
both give the same rows. Last run: ${date}, ${cpus().length} cores (${availableParallelism()} available to the
process), load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after: the machine is shared with other work, so
the cores were not ours alone.

| jobs | median wall time | rounds (wall) | median CPU time, all threads | cores used (CPU ÷ wall) |
|---|---|---|---|---|
| 1 | ${s(median(serial))} | ${serial.map(s).join(', ')} | ${s(median(cpuMs.serial))} | ${(median(cpuMs.serial) / median(serial)).toFixed(2)} |
| ${jobs} | ${s(median(parallel))} | ${parallel.map(s).join(', ')} | ${s(median(cpuMs.parallel))} | ${(median(cpuMs.parallel) / median(parallel)).toFixed(2)} |

Speed-up: **${speedup.toFixed(2)}×** with ${jobs} workers (wall time, jobs 1 ÷ jobs ${jobs}).
<!-- ${id}:end -->
`
console.log(
  `\nspeed-up ${speedup.toFixed(2)}× (median of ${rounds} rounds; load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)})`,
)
if (values.print) console.log(`\n${section}`)
else {
  const url = new URL('../docs/benchmarks.md', import.meta.url)
  const doc = readFileSync(url, 'utf8')
  const block = new RegExp(`\\n?<!-- ${id}:start -->[\\s\\S]*<!-- ${id}:end -->\\n?`)
  const kept = doc.replace(block, '\n')
  writeFileSync(url, `${kept.trimEnd()}\n\n${section}`)
  console.log('wrote its section of docs/benchmarks.md')
}

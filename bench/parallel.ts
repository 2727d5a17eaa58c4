// How much faster independent simulation runs get on more cores: the same sweep with --jobs 1 (in this
// thread) and --jobs N (a piscina pool of N worker threads), alternating, wall clock, median of rounds.
// Checks that both give the same rows. Writes its section of docs/benchmarks.md (between the markers),
// which `npm run bench` keeps.
//
//   npm run bench:parallel                      # coco-fio, fail + throttle, 6 seeds, 3 rounds, jobs 1 vs 2
//   npm run bench:parallel -- --jobs 16 --seeds 16
import { readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { findScenario, parseSpec, runSweep, type SweepGrid } from '../src/sim/index.js'

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2' },
    seeds: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '3' },
    scenario: { type: 'string', default: 'coco-fio' },
    write: { type: 'boolean', default: true },
  },
})
const jobs = Number(values.jobs)
const rounds = Number(values.rounds)
const grid: SweepGrid = {
  specs: [parseSpec(findScenario(values.scenario).spec)],
  policies: ['fail', 'throttle'],
  poolBytes: [],
  seeds: { first: 1, count: Number(values.seeds) },
}
const runs = grid.specs.length * grid.policies.length * grid.seeds.count

async function timed(n: number): Promise<{ ms: number; text: string }> {
  const t0 = performance.now()
  const rows = await runSweep(grid, { jobs: n })
  return { ms: performance.now() - t0, text: JSON.stringify(rows) }
}

const serial: number[] = []
const parallel: number[] = []
const loadBefore = loadavg()[0]!
let reference: string | undefined
for (let r = 0; r < rounds; r++) {
  // Alternate which goes first, so that a neighbour's burst does not always hit the same one.
  for (const n of r % 2 === 0 ? [1, jobs] : [jobs, 1]) {
    const { ms, text } = await timed(n)
    reference ??= text
    if (text !== reference) throw new Error(`--jobs ${n} gave other rows than --jobs 1`)
    ;(n === 1 ? serial : parallel).push(ms)
    console.log(`round ${r + 1}: --jobs ${n}: ${(ms / 1000).toFixed(1)} s`)
  }
}
const loadAfter = loadavg()[0]!
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const speedup = median(serial) / median(parallel)
const date = new Date().toISOString()
const section = `<!-- parallel:start -->
## Worker threads: \`npm run bench:parallel\`

Written by \`npm run bench:parallel\` (kept by \`npm run bench\`). The same sweep (${values.scenario}, fail and
throttle, its own pool, ${grid.seeds.count} seeds: ${runs} independent runs) with \`--jobs 1\` (in the main thread) and
\`--jobs ${jobs}\` (a piscina pool of ${jobs} worker threads, started inside the timing), alternating, wall clock;
both give the same rows. Last run: ${date}, ${cpus().length} cores (${availableParallelism()} available to the
process), load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after: the machine is shared with other work, so
the cores were not ours alone.

| jobs | median wall time | rounds |
|---|---|---|
| 1 | ${(median(serial) / 1000).toFixed(1)} s | ${serial.map((ms) => (ms / 1000).toFixed(1)).join(', ')} |
| ${jobs} | ${(median(parallel) / 1000).toFixed(1)} s | ${parallel.map((ms) => (ms / 1000).toFixed(1)).join(', ')} |

Speed-up: **${speedup.toFixed(2)}×** with ${jobs} workers.
<!-- parallel:end -->
`
console.log(
  `\nspeed-up ${speedup.toFixed(2)}× (median of ${rounds} rounds; load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)})`,
)
if (values.write) {
  const url = new URL('../docs/benchmarks.md', import.meta.url)
  const doc = readFileSync(url, 'utf8')
  const kept = doc.replace(/\n?<!-- parallel:start -->[\s\S]*<!-- parallel:end -->\n?/, '\n')
  writeFileSync(url, `${kept.trimEnd()}\n\n${section}`)
  console.log('wrote its section of docs/benchmarks.md')
}

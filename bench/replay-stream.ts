/**
 * Streaming replay: writes a synthetic capture of N events (default 10 M) and replays it, sampling the
 * process's RSS as it goes, to show that memory stays flat (the trace is never held) and to measure the
 * replay rate. Not part of `npm test` nor of `npm run bench` (it takes minutes and ~450 MB of disk).
 *
 *   node --expose-gc --import tsx bench/replay-stream.ts [--events 10000000] [--policies fail,throttle] [--keep] [--write]
 *
 * `--write` puts the figures in their section of docs/benchmarks.md ("Trace replay", kept by `npm run
 * bench`); docs/simulation.md ("Replaying large traces") quotes them.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { type PolicyInput, replayAll } from '../src/sim/index.js'

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    policies: { type: 'string', default: 'fail,throttle' },
    file: { type: 'string' },
    keep: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
})
const total = Number(values.events)
const policies = values.policies.split(',')
const file = values.file ?? join(tmpdir(), `dma-throttle-${total}.trace`)

/**
 * A steady workload: 4 devices, about 256 mappings live at a time, sizes 4 KiB to 256 KiB, one event
 * every 2 µs on average. A small LCG keeps it deterministic.
 */
function generate(): void {
  let seed = 12345
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0
    return seed / 2 ** 32
  }
  const sizes = [4096, 16384, 65536, 131072, 262144]
  const live: Array<{ addr: number; dev: number; size: number }> = []
  const fd = openSync(file, 'w')
  let out = '# dma-throttle-trace v1\n# synthetic: bench/replay-stream.ts\n'
  let t = 1_000_000_000
  let next = 0
  for (let i = 0; i < total; i++) {
    t += Math.floor(rand() * 4000)
    const mapNow = live.length === 0 || (live.length < 512 && rand() < 0.5 + (256 - live.length) / 1024)
    if (mapNow) {
      const m = {
        addr: 0x100000000 + (next++ % 65536) * 262144,
        dev: Math.floor(rand() * 4),
        size: sizes[Math.floor(rand() * 5)]!,
      }
      live.push(m)
      out += `${t} ${m.dev} map nvme${m.dev} ${m.size} ${m.size} ${1 + (m.dev & 1)} ${m.dev === 3 ? 0 : 1} 0x${m.addr.toString(16)}\n`
    } else {
      const j = Math.floor(rand() * live.length)
      const m = live[j]!
      live[j] = live[live.length - 1]!
      live.pop()
      out += `${t} ${m.dev} unmap nvme${m.dev} ${m.size} ${1 + (m.dev & 1)} 0x${m.addr.toString(16)}\n`
    }
    if (out.length > 1 << 20) {
      writeSync(fd, out)
      out = ''
    }
  }
  writeSync(fd, out)
  closeSync(fd)
}

const mib = (b: number) => (b / 2 ** 20).toFixed(0)
let t0 = performance.now()
generate()
console.log(
  `wrote ${total.toLocaleString('en')} events, ${mib(statSync(file).size)} MiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${file}`,
)

const fileBytes = statSync(file).size
globalThis.gc?.()
const loadBefore = loadavg()[0]!
const samples: Array<{ s: number; rss: number; heap: number }> = []
t0 = performance.now()
const sample = () => {
  const m = process.memoryUsage()
  samples.push({ s: (performance.now() - t0) / 1000, rss: m.rss, heap: m.heapUsed })
}
sample()
const timer = setInterval(sample, 1000)
const cpu0 = process.cpuUsage()
const { summary, policies: results } = await replayAll(
  file,
  { size: 64 * 2 ** 20, areas: 16 },
  policies as PolicyInput[],
)
clearInterval(timer)
sample()
const wall = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpu0)
const cpuS = (cpu.user + cpu.system) / 1e6
console.log(
  `replayed ${summary.events.toLocaleString('en')} events against ${policies.join(', ')} in ${wall.toFixed(1)} s wall, ${cpuS.toFixed(1)} s CPU`,
)
console.log(
  `rate: ${Math.round(summary.events / wall).toLocaleString('en')} events/s (wall), ${Math.round(summary.events / cpuS).toLocaleString('en')} events/s (CPU), for ${policies.length} policies in one pass`,
)
for (const [p, r] of Object.entries(results)) {
  console.log(
    `  ${p}: ${r!.ios.toLocaleString('en')} maps, ${r!.ioErrors} errors, hiwater ${mib(r!.hiwater.exact)} MiB, waits ${r!.throttle.waits}`,
  )
}
const at = (f: number) => samples[Math.min(samples.length - 1, Math.floor(f * (samples.length - 1)))]!
for (const f of [0, 0.1, 0.25, 0.5, 0.75, 1]) {
  const s = at(f)
  console.log(
    `  RSS at ${(f * 100).toFixed(0).padStart(3)} % (${s.s.toFixed(0).padStart(4)} s): ${mib(s.rss)} MiB, heap ${mib(s.heap)} MiB`,
  )
}
const peak = Math.max(...samples.map((s) => s.rss))
console.log(`  peak RSS ${mib(peak)} MiB over ${samples.length} samples`)
if (!values.keep) rmSync(file)

if (values.write) {
  const loadAfter = loadavg()[0]!
  const n = (x: number) => Math.round(x).toLocaleString('en')
  const command = `node --expose-gc --import tsx bench/replay-stream.ts --events ${total} --policies ${policies.join(',')} --write`
  const section = `<!-- replay:start -->
## Trace replay: \`bench/replay-stream.ts\`

Written by \`${command}\` (kept by \`npm run bench\`). It writes a synthetic capture (4 devices, about
256 mappings live, 4–256 KiB, one event every 2 µs on average) and replays it with \`replayAll\` on a
64 MiB pool in 16 areas, streaming the file, while sampling the process's RSS every second. Last run:
${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, load average ${loadBefore.toFixed(1)} before and
${loadAfter.toFixed(1)} after: the machine is shared with other work, so the wall time is not the replay's alone (its CPU time is, but
a shared core also runs it slower, so CPU figures vary between runs too; see docs/simulation.md).

| events | file | policies | events per CPU second | events per wall second | CPU | wall |
|---|---|---|---|---|---|---|
| ${n(summary.events)} | ${mib(fileBytes)} MiB | ${policies.join(', ')} | ${n(summary.events / cpuS)} | ${n(summary.events / wall)} | ${cpuS.toFixed(1)} s | ${wall.toFixed(1)} s |

RSS (MiB) before the first event and at each share of the run: ${[0, 0.1, 0.25, 0.5, 0.75, 1].map((f) => `${(f * 100).toFixed(0)} %: ${mib(at(f).rss)}`).join(', ')}; peak ${mib(peak)} over ${samples.length} samples. The trace is never held: memory is the pools and the mappings live at a time.
<!-- replay:end -->
`
  const url = new URL('../docs/benchmarks.md', import.meta.url)
  const block = /\n?<!-- replay:start -->[\s\S]*<!-- replay:end -->\n?/
  const kept = readFileSync(url, 'utf8').replace(block, '\n')
  writeFileSync(url, `${kept.trimEnd()}\n\n${section}`)
  console.log('wrote its section of docs/benchmarks.md')
}

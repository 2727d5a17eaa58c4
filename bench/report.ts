import { execFileSync } from 'node:child_process'
import { arch, cpus, platform, totalmem } from 'node:os'
import type { CaseResult, RunOptions } from './case.js'
import { fmt } from './harness.js'

export interface Machine {
  /** The commit benchmarked, with '+ local changes' when src/ differs from it. */
  commit: string
  node: string
  cpu: string
  cores: number
  platform: string
  memoryGiB: number
}

export interface Report {
  date: string
  machine: Machine
  options: RunOptions
  /** Fresh processes each case ran in (`--processes`); its values are the medians over them. */
  processes: number
  source: string
  durationSeconds: number
  cases: CaseResult[]
}

export function machine(): Machine {
  const list = cpus()
  return {
    commit: commit(),
    node: process.version,
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    platform: `${platform()} ${arch()}`,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
  }
}

function commit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()
    const dirty = git('status', '--porcelain', '--', 'src') !== ''
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + local changes in src/' : ''}`
  } catch {
    return 'unknown (not a git checkout)'
  }
}

function targetText(r: CaseResult): string {
  if (r.target === undefined) return '—'
  const value = r.target.value.toLocaleString('en-US', { maximumFractionDigits: 2 })
  return `${r.target.kind === 'min' ? '≥' : '≤'} ${value}${r.unit === '×' ? '×' : ` ${r.unit}`}`
}

/** ' (rounds a–b)', or ' (processes a–b)' when the value is a median over processes; '' without a spread. */
export function spreadText(r: CaseResult): string {
  if (r.spread === undefined) return ''
  return ` (${r.processes === undefined ? 'rounds' : 'processes'} ${fmt(r.spread[0])}–${fmt(r.spread[1])})`
}

function valueText(r: CaseResult): string {
  if (r.value === undefined) return '—'
  return `${fmt(r.value)}${r.unit === '×' ? '×' : ` ${r.unit}`}${spreadText(r)}`
}

export function verdict(r: CaseResult): string {
  if (r.skipped !== undefined) return 'skipped'
  return r.pass === undefined ? '—' : r.pass ? 'pass' : '**miss**'
}

function rawText(r: CaseResult): string {
  if (r.skipped !== undefined) return r.skipped
  return r.raw.map((m) => `${m.label}: ${fmt(m.value)} ${m.unit}`).join('<br>')
}

/** docs/benchmarks.md: the table, the machine, how to reproduce, and each case's setup. */
export function markdown(report: Report): string {
  const m = report.machine
  const rows = report.cases.map(
    (r) => `| ${r.title} | ${targetText(r)} | ${valueText(r)} | ${verdict(r)} | ${rawText(r)} |`,
  )
  const notes = report.cases.flatMap((r) => [
    `- **${r.id}** — ${r.metric}.`,
    ...r.notes.map((n) => `  ${n}.`.replace(/\.\.$/, '.')).map((n) => `  -${n.slice(1)}`),
  ])
  return `# Benchmarks

This file is written by \`npm run bench\`; do not edit it by hand. Each case runs dma-throttle and its
anchor in the same process, interleaved, and reports medians over rounds and their ratio; ${report.processes === 1 ? 'this run used one process.' : `each case ran so in ${report.processes} fresh processes, one after another, and the table gives the median over them, with their range.`}

Last run: ${report.date}, ${report.durationSeconds.toFixed(0)} s.

| case | target | measured | result | raw medians |
|---|---|---|---|---|
${rows.join('\n')}

## Machine

- Node ${m.node} on ${m.platform}
- CPU: ${m.cpu}, ${m.cores} cores (as \`os.cpus()\` reports them), ${m.memoryGiB} GiB of memory
- Library source: \`${report.source}\` at commit ${m.commit}
- ${report.processes} ${report.processes === 1 ? 'process' : 'processes'} per case (\`--processes\`), ${report.options.rounds} rounds per comparison, ${report.options.timeMs} ms per contender per round, ${report.options.clock === 'cpu' ? 'process CPU time (the default)' : 'wall clock (`--clock wall`)'}, ${report.options.gc ? 'a full GC before each contender (`--gc`)' : 'steady state (no forced GC)'}

## How to reproduce

\`\`\`sh
npm ci
npm run bench                          # all cases, each in 5 fresh processes; rewrites this file
npm run bench -- --processes 1         # each case once, in this process (a fifth of the time)
npm run bench -- --json                # also writes bench/results.json
npm run bench -- --only contended,weighted --rounds 9 --time 300   # a subset (this file is left alone)
npm run bench -- --clock wall           # wall time (performance.now) instead of process CPU time
npm run bench -- --gc                   # a full GC before each contender (the method until 2026-11-22)
BENCH_SRC=/path/to/patched/src npm run bench -- --only pool-size    # measure a patched copy of src/
npm run profile -- contended-cb        # where the time goes (see docs/performance.md)
npm run ab -- /tmp/before/src src cb   # is a change faster? each copy alone in its own process, alternating
npm run ab -- /tmp/before/src src cb --semi 16 --cpu 1 --pairs 16   # the same, every process on CPU 1 (this box's two CPUs can run at two speeds)
npm run ab -- src limiter cb           # against the minimal FIFO limiter in the same harness
npm run norm -- contended --anchor p-limit   # a ratio to the anchor within each round of one process (steadier on a machine whose speed moves)
npm run norm -- contended --tasks 7000       # the same at another batch size (the scavenger's phase moves with it)
npm run norm -- contended --shift            # the same with the scavenger's phase shifted at random before each batch
\`\`\`

## Method

- tinybench 6 runs every contender of a comparison in one \`Bench\` per round; the order rotates each
  round. A contender's round value is tinybench's median latency of one call divided by the operations
  in that call (a batch of operations per call keeps timer overhead out of the result).
- Time is the process's CPU time by default (user + system, every thread, so GC helper threads
  count): on a shared machine a neighbour that takes the cores inflates wall time but not CPU time,
  and every case here is CPU-bound (no real I/O, nothing sleeps), so on an idle machine the two agree
  but for GC work done in parallel. \`--clock wall\` uses performance.now() instead.
- Steady state: nothing forces a GC between contenders (\`--gc\` collects the heap before each one).
  Collecting first makes the next 10,000-task batches run 2–3× slower while the young generation
  regrows, a cost no application pays; rotating the order shares out the neighbours' garbage.
- The reported value for a contender is the median of its round values; the ratio is taken between
  those medians. Beside a ratio, \`(rounds a–b)\` is the lowest and highest of that run's per-round
  ratios (each round runs both contenders interleaved). The machine is shared and noisy: ratios move
  by ±10–20 % between runs.
- The reference machine's two CPUs can run at two speeds (a fixed loop took 77–82 ms on one and
  120–179 ms on the other, minutes apart), and an unpinned process lands on either: a share of the
  spread between processes is which CPU each had. The processes are left unpinned, as a user's are;
  \`npm run ab -- … --cpu N\` pins both copies of an A/B comparison to one CPU (docs/performance.md).
- One process is not enough for the contended cases: V8 sizes the young generation from what survived
  before, and each contender's cost moves with the heap its neighbour left. p-limit's contended task
  cost 1.9 µs in one process and 2.9 µs in the next, and the manual form's ratio to it measured 1.28×
  and 2.26× in two runs of one tree, minutes apart (2026-12-01). So every case runs in
  \`--processes\` fresh processes (5 by default), one after another, each comparing its contenders in
  the same process as above; the table gives the median of the processes' values, \`(processes
  a–b)\` their range, and each raw row the median of that row. A verdict is the median's. Three
  processes were the default until 2026-12-01 and proved too few: the manual form's verdict passed
  at 1.74× (1.38–1.76) in one full run and missed at 1.36× (1.26–1.60) over 7 processes an hour
  later, the tree unchanged.
- The contended cases run batches of 10,000 tasks, all started at once, and the young generation's
  scavenges can lock onto a batch's phase: a scavenge that lands while most tasks still wait copies
  them all, and p-limit's batches are as exposed as ours. Against p-limit, the manual form measured
  0.63–0.80× at 7,000 tasks a batch, 1.19–1.29× at 10,000, 1.00× at 13,000 and 0.68× at 20,000;
  \`withMapping\` 0.83–0.92×, 1.82–1.91×, 1.86× and 1.24× (\`npm run norm -- contended --tasks N\` and
  \`contended-cb\`): 10,000 is among the kind sizes for us, so read the contended rows with that spread
  (docs/performance.md, "A benchmark artefact"). With the phase shifted at random before every batch
  (\`npm run norm -- <case> --shift\`) the manual form measured 0.88–1.01× p-limit and \`withMapping\`
  1.07–1.56× across those sizes.
- Each peer is measured in its **fastest** form, named in the row as \`(anchor)\`, and its slower forms
  stay as extra rows:
  - async-mutex: \`Semaphore.acquire(w)\` + release. \`acquire\` is a plain function that returns
    \`new Promise\`, while \`Mutex.acquire\` and \`runExclusive\` are \`async\` wrappers around it, compiled
    down to \`__awaiter\`/\`__generator\` (about 3 µs a call more here): both kept as rows. Uncontended,
    the anchor is \`Semaphore(1)\`: its \`release\` walks the weights from its value down to 1 to wake
    \`waitForUnlock\` callers, so the smallest n is its fastest (a Semaphore as large as the default
    budget, 26,214 slots, costs ~200 µs an op). Weighted, the anchor is \`Semaphore(256)\`, the budget
    it models.
  - p-limit: \`limit(fn)\`, its only form. Every contended task does identical work, the same
    \`work = async () => { await null }\`, awaited on every side (\`limit(work)\` awaits it inside
    p-limit; the manual forms write \`await work()\`), so no side saves a call and its promise.
  - dma-throttle is measured in both forms against the same anchor: the manual form
    (\`await dma.map()\` … \`m.unmap()\`, target ≥ 1.5× p-limit) and the one-call form
    \`withMapping\` (≥ 2.5×), from one interleaved comparison.
- Case ids for \`--only\`: ${report.cases.map((r) => `\`${r.id}\``).join(', ')}.

## Setup per case

${notes.join('\n')}
`
}

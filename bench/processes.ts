import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type CaseResult, judge, type Measurement, type RunOptions } from './case.js'
import { median } from './harness.js'

/**
 * `npm run bench -- --processes N`: every case runs in N fresh processes, one after another, and its
 * results are the medians over them.
 *
 * Within one process a case's ratio still depends on that process's luck: V8 sizes the young
 * generation from what survived before, and the peers' costs move with the heap their neighbours left
 * (p-limit's contended task measured 1.9 µs in one process and 2.9 µs in the next, the manual form's
 * ratio 1.28× and 2.26× in two runs of one tree, minutes apart). Each process still compares the
 * contenders in the same process, interleaved; the median over processes keeps one lucky or unlucky
 * process from deciding a verdict, and the range over them is reported beside it.
 */

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url))
/** The line a child prints its results on. */
const PREFIX = 'RESULTS '

/** Runs case `id` in a child process with `options`; returns its results. */
function runChild(id: string, options: RunOptions): CaseResult[] {
  const args = [
    ...process.execArgv,
    MAIN,
    '--child',
    '--only',
    id,
    '--rounds',
    String(options.rounds),
    '--time',
    String(options.timeMs),
    '--clock',
    options.clock,
    ...(options.gc ? ['--gc'] : []),
  ]
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: process.env })
  if (r.status !== 0) throw new Error(`bench: case ${id} failed in its child process\n${r.stderr}`)
  const line = r.stdout.split('\n').find((l) => l.startsWith(PREFIX))
  if (line === undefined) throw new Error(`bench: case ${id}'s child printed no results\n${r.stdout}`)
  return JSON.parse(line.slice(PREFIX.length)) as CaseResult[]
}

/** What a child prints for its parent. */
export function printForParent(results: readonly CaseResult[]): void {
  console.log(`${PREFIX}${JSON.stringify(results)}`)
}

/**
 * One result from the same result of every process: the headline is the median of theirs (judged
 * again), `processes` lists them, `spread` is their range, and each raw row is the median of that row.
 */
export function combine(runs: readonly CaseResult[]): CaseResult {
  const done = runs.filter((r) => r.skipped === undefined && r.value !== undefined)
  if (done.length === 0) return runs[0]!
  const first = done[0]!
  const values = done.map((r) => r.value!)
  const value = median(values)
  const raw: Measurement[] = first.raw.map((m, i) => ({
    ...m,
    value: median(done.map((r) => r.raw[i]?.value ?? Number.NaN).filter((v) => !Number.isNaN(v))),
  }))
  return {
    ...first,
    value,
    pass: judge(first.target, value),
    spread: [Math.min(...values), Math.max(...values)],
    processes: values,
    raw,
  }
}

/** Runs case `id` in `n` processes, one after another, and combines what they report. */
export function runInProcesses(id: string, n: number, options: RunOptions): CaseResult[] {
  const perProcess: CaseResult[][] = []
  for (let i = 0; i < n; i++) perProcess.push(runChild(id, options))
  return perProcess[0]!.map((r, k) => combine(perProcess.map((p) => p[k] ?? r)))
}

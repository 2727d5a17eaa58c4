import { Bench } from 'tinybench'
import type { RunOptions } from './case.js'

/** One side of a comparison: `fn` performs `batch` operations per call. */
export interface Contender {
  name: string
  batch: number
  fn: () => unknown
}

export interface Timing {
  name: string
  /** Median over rounds of each round's median ns per operation. */
  nsPerOp: number
  /** Each round's median ns per operation, in round order. */
  rounds: number[]
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** A full GC when the process runs with --expose-gc (npm run bench does), else nothing. */
function collect(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

let seed = 20261130
const sink: unknown[] = new Array(1024)

/**
 * Allocates a seeded random amount (0–16 MiB, in ~32-byte objects that die at once) of garbage: the
 * next scavenge then falls at a random point of the call that follows. A batch of 10,000 tasks started
 * at once allocates about one young generation, so without this its scavenges can lock onto the same
 * point of every batch, where they copy either almost nothing or thousands of waiting tasks, and a
 * fixed batch size can favour either contender by 2× (docs/performance.md, "A benchmark artefact").
 */
export function shiftPhase(): void {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
  const objects = Math.floor((seed / 2 ** 32) * 524_288)
  for (let k = 0; k < objects; k++) sink[k & 1023] = { k }
}

/** Milliseconds of CPU this process has used, all threads. */
export function cpuNow(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * Runs the contenders in the same process, interleaved: every round is one tinybench run holding all of
 * them, and the order rotates between rounds so that no contender always runs first (or right after a
 * GC-heavy neighbour). Returns, per contender, the median over rounds of the per-round median.
 */
export async function compare(contenders: readonly Contender[], options: RunOptions): Promise<Timing[]> {
  const perRound = contenders.map(() => [] as number[])
  for (let round = 0; round < options.rounds; round++) {
    const bench = new Bench({
      time: options.timeMs,
      iterations: 3,
      warmupTime: round === 0 ? options.timeMs / 2 : options.timeMs / 8,
      warmupIterations: 2,
      throws: true,
      ...(options.clock === 'cpu' ? { now: cpuNow } : {}),
    })
    const order = contenders.map((_, i) => (i + round) % contenders.length)
    // Steady state by default: a full GC before a contender shrinks the young generation, and its first
    // calls then run up to 2–3× slower while it regrows (measured on the 10,000-task cases), which no
    // application sees. Rotating the order shares out the neighbours' garbage instead.
    // tinybench runs beforeEach outside the timed span.
    const hooks = {
      ...(options.gc ? { beforeAll: collect } : {}),
      ...(options.shiftPhase === true ? { beforeEach: shiftPhase } : {}),
    }
    for (const i of order) bench.add(contenders[i]!.name, contenders[i]!.fn, hooks)
    await bench.run()
    for (const i of order) {
      const task = bench.getTask(contenders[i]!.name)!
      const r = task.result
      if (r.state !== 'completed') throw new Error(`${contenders[i]!.name}: tinybench state ${r.state}`)
      perRound[i]!.push((r.latency.p50 * 1e6) / contenders[i]!.batch)
    }
  }
  return contenders.map((c, i) => ({ name: c.name, nsPerOp: median(perRound[i]!), rounds: perRound[i]! }))
}

/**
 * The lowest and highest per-round ratio `num ÷ den` of two contenders of one `compare` (their rounds
 * ran interleaved, so round i of each saw the same machine).
 */
export function spreadOf(num: Timing, den: Timing): [number, number] {
  const ratios = num.rounds.map((n, i) => n / den.rounds[i]!)
  return [Math.min(...ratios), Math.max(...ratios)]
}

/** The raw medians of a comparison, one row per contender, for a case's table. */
export function rawRows(
  timings: readonly Timing[],
  unit = 'ns/op',
): Array<{ label: string; value: number; unit: string }> {
  return timings.map((t) => ({ label: t.name, value: t.nsPerOp, unit }))
}

/** Formats a number with three significant digits (integers keep all their digits). */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US')
  return n.toPrecision(3)
}

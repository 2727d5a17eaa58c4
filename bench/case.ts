/** What one benchmark case reports: its raw medians, the headline value and how it compares to its target. */

export interface Target {
  /** 'min': the value must be at least `value`; 'max': at most. */
  kind: 'min' | 'max'
  value: number
}

/** One raw median (per operation, per task, per slot, ...). */
export interface Measurement {
  label: string
  value: number
  unit: string
}

export interface CaseResult {
  /** Stable id, used by `--only` and in results.json. */
  id: string
  title: string
  /** How the headline value is computed, e.g. 'async-mutex ns / dma-throttle ns'. */
  metric: string
  target: Target | undefined
  /** The headline value (a ratio, or an absolute number for the simulator and memory cases). */
  value: number | undefined
  /** Unit of `value` and of the target: '×' for ratios. */
  unit: string
  pass: boolean | undefined
  /**
   * For a ratio taken between two contenders of one interleaved comparison: the lowest and highest of
   * the per-round ratios, so a reader sees how far one run's rounds spread around the median.
   */
  spread?: readonly [number, number]
  /**
   * With `--processes N`: the headline of each process, in the order they ran; `value` is their median
   * and `spread` their range.
   */
  processes?: readonly number[]
  raw: Measurement[]
  notes: string[]
  /** Set when the case could not run, with the reason. */
  skipped?: string
}

export interface RunOptions {
  /** Interleaved rounds per comparison; the medians are taken over them. */
  rounds: number
  /** tinybench time budget per contender per round, ms. */
  timeMs: number
  /**
   * 'wall': performance.now(). 'cpu': this process's user + system CPU time (all its threads, GC
   * helpers included), which a neighbour that steals the cores does not inflate. The default.
   */
  clock: 'wall' | 'cpu'
  /** Collect the heap (a full GC) before each contender of a round: off by default (steady state). */
  gc: boolean
  /**
   * Before every timed call, allocate a seeded random amount of short-lived garbage (harness.ts,
   * shiftPhase), so that scavenges fall at a random point of each batch. Set by the cases whose calls
   * are batches of 10,000 tasks started at once, whose scavenges otherwise lock onto the batch's phase.
   */
  shiftPhase?: boolean
}

export interface BenchCase {
  id: string
  /** The ids of the other results its run returns (`--only` takes them too, running this case). */
  alsoReports?: readonly string[]
  /** One result, or several when one interleaved comparison answers more than one target. */
  run(options: RunOptions): Promise<CaseResult | CaseResult[]>
}

export function judge(target: Target | undefined, value: number | undefined): boolean | undefined {
  if (target === undefined || value === undefined || !Number.isFinite(value)) return undefined
  return target.kind === 'min' ? value >= target.value : value <= target.value
}

/** Builds a result from a headline value, filling in pass/miss. */
export function result(r: Omit<CaseResult, 'pass'>): CaseResult {
  return { ...r, pass: judge(r.target, r.value) }
}

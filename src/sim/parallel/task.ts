import type { PolicyName } from '../policies.js'
import type { PolicyResult } from '../result.js'
import type { SimSpec } from '../spec.js'

/**
 * One independent simulation run: plain data, so that it can cross to a worker thread (structured
 * clone) and back. Every run builds its own clock, pool and random streams from `seed`, so where it
 * runs changes nothing in its outcome.
 */
export interface RunTask {
  kind: 'run'
  spec: SimSpec
  policy: PolicyName
  seed: number
  /** End the run at its first I/O error (sizing needs no more than "not healthy"). */
  stopOnError: boolean
}

/** A run that also records pool usage exactly, to compare samplers against (the `hiwater` command). */
export interface TraceTask {
  kind: 'trace'
  spec: SimSpec
  policy: PolicyName
  seed: number
  /** Sampling intervals to try, ms. */
  intervalsMs: readonly number[]
  /** Sampler phases per interval: sampler j starts at j/offsets of the interval. */
  offsets: number
}

export type Task = RunTask | TraceTask

/** What a sizing or sweep run reports (bytes, µs). */
export interface RunOutcome {
  ios: number
  ioErrors: number
  stuckIos: number
  importFailures: number
  iops: number
  mibps: number
  peakPoolBytes: number
  hiwaterBytes: number
  mapWaitP99Us: number
  clatP99Us: number
}

/** What a trace run reports: the exact mark, the per-area sum, and each sampler's maximum (bytes). */
export interface TraceOutcome {
  /** The run's exact high-water mark, `hiwater.exact`: transient pools included, as debugfs counts them. */
  exactBytes: number
  perAreaSumBytes: number
  /** The usage record's maximum: every mapping, transient pools included (the same as exactBytes). */
  traceMaxBytes: number
  /** `sampledBytes[i][j]`: the largest usage sampler j of interval i read. */
  sampledBytes: number[][]
}

export type OutcomeOf<T extends Task> = T extends TraceTask ? TraceOutcome : RunOutcome

/** What the size search reads of a simulated run (or a replay): its outcome's fields. */
export function outcomeOf(r: PolicyResult): RunOutcome {
  return {
    ios: r.ios,
    ioErrors: r.ioErrors,
    stuckIos: r.stuckIos,
    importFailures: r.imports.failed,
    iops: r.iops,
    mibps: r.mibps,
    peakPoolBytes: r.poolBytes.peak,
    hiwaterBytes: r.hiwater.exact,
    mapWaitP99Us: r.mapWaitUs.p99,
    clatP99Us: r.clatUs['99.00'] ?? 0,
  }
}

/** A run is healthy when no I/O failed, none was left stuck and every import got its buffer. */
export function healthyOutcome(r: RunOutcome): boolean {
  return r.ioErrors === 0 && r.stuckIos === 0 && r.importFailures === 0
}

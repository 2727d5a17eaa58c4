import { basename } from 'node:path'
import { type PolicyInput, type PolicyName, policyByName, resolvePolicies } from '../../policies.js'
import type { PolicyResult } from '../../result.js'
import type { PolicyTuning, PoolSpec } from '../../spec.js'
import { type MayBlockRule, type PairingCounts, PolicyReplay } from './policy-replay.js'
import type { TraceEvent, TraceFormat } from './record.js'
import { newInfo, type ReadTraceOptions, readTrace, type TraceInfo } from './source.js'

/** A trace to replay: a file (read again for every pass), or events in memory (tests). */
export type TraceInput = string | { file: string; read?: ReadTraceOptions } | readonly TraceEvent[]

export interface ReplayOptions {
  tuning?: PolicyTuning
  /** Which maps may wait when the trace cannot say (default 'all'): 'none', or a list of devices. */
  mayBlock?: MayBlockRule
  /** Interval of the sampled hiwater, ms. Default 1000. */
  sampleMs?: number
  /** Stop each replay at its first I/O error (a size search); a run's own `stopOnError` wins. */
  stopOnError?: boolean
  /** A map that waited this long fails (PolicyReplayOptions.maxWaitMs). Default: no bound. */
  maxWaitMs?: number
  /** Called with each run's replay before the first event: to watch its pool (`hiwater` on a trace). */
  observe?: (replay: PolicyReplay, index: number) => void
}

/** One policy at one pool, the unit a pass replays. */
export interface ReplayRun {
  policy: PolicyInput
  pool: PoolSpec
  stopOnError?: boolean
}

/** What a pass learnt about the trace itself (the same for every run of it). */
export interface TraceSummary {
  trace: string
  format: TraceFormat | 'events'
  lines: number
  events: number
  passedOver: number
  durationMs: number
  /** Highest CPU number of a map, plus one; undefined when the trace records no CPU (-1). */
  cpus: number | undefined
  /** The pool the trace names (`# pool` comment), if any. */
  pool: { size: number; areas: number } | undefined
  unpaired: { maps: Record<string, number>; unmaps: Record<string, number> }
  traceFailures: Record<string, number>
  /** The devices that map in the part of the trace the pass read, sorted. */
  devices: string[]
}

/**
 * Replays a trace once, streaming, against several runs at a time: every event goes to each run's
 * replay in turn (each on its own clock, pool and devices). Memory is the runs' pools and the mappings
 * live at a time, never the trace.
 */
export async function replayRuns(
  input: TraceInput,
  runs: readonly ReplayRun[],
  options: ReplayOptions = {},
): Promise<{ summary: TraceSummary; results: PolicyResult[] }> {
  const replays = runs.map((r, i) => {
    const stopOnError = r.stopOnError ?? options.stopOnError
    const replay = new PolicyReplay(r.policy, r.pool, {
      ...(options.tuning === undefined ? {} : { tuning: options.tuning }),
      ...(options.mayBlock === undefined ? {} : { mayBlock: options.mayBlock }),
      ...(options.sampleMs === undefined ? {} : { sampleMs: options.sampleMs }),
      ...(stopOnError === undefined ? {} : { stopOnError }),
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
    })
    options.observe?.(replay, i)
    return replay
  })
  const { events, info } = open(input)
  let start: number | undefined
  let last = 0
  let maxCpu = -1
  let active = replays.length
  const devices = new Set<string>()
  for await (const e of events) {
    start ??= e.atNs
    if (e.kind === 'map') {
      if (e.cpu > maxCpu) maxCpu = e.cpu
      devices.add(e.device)
    }
    const at = (e.atNs - start) / 1e6
    last = at
    for (const r of replays) {
      if (r.done) continue
      const p = r.advanceTo(at)
      if (p !== undefined) await p
      r.apply(e)
      if (r.done) active--
    }
    if (active === 0) break
  }
  const results: PolicyResult[] = []
  for (const r of replays) results.push(await r.finish())
  const counts = replays[0]?.counts
  return { summary: summarize(info, last, maxCpu, counts, devices), results }
}

/** Every policy (default: the five of DESIGN §8) against one pool: `dma-throttle replay`. */
export async function replayAll(
  input: TraceInput,
  pool: PoolSpec,
  policies: readonly PolicyInput[],
  options: ReplayOptions = {},
): Promise<{ summary: TraceSummary; policies: Partial<Record<PolicyName, PolicyResult>> }> {
  const names = resolvePolicies(policies).map((p) => p.name)
  const { summary, results } = await replayRuns(
    input,
    names.map((policy) => ({ policy, pool })),
    options,
  )
  const out: Partial<Record<PolicyName, PolicyResult>> = {}
  names.forEach((name, i) => {
    out[name] = results[i]!
  })
  return { summary, policies: out }
}

/**
 * One policy against one pool: the function a size search calls with a trace as its target, as it
 * calls `runPolicy` with a spec. The result has the simulator's shape (`ioErrors`, `hiwater`,
 * `mibps`, `stuckIos`...), so `healthy()` applies to it.
 */
export async function replayTrace(
  input: TraceInput,
  pool: PoolSpec,
  policy: PolicyInput,
  options: ReplayOptions = {},
): Promise<PolicyResult> {
  policyByName(policy)
  const { results } = await replayRuns(input, [{ policy, pool }], options)
  return results[0]!
}

function open(input: TraceInput): {
  events: AsyncIterable<TraceEvent> | Iterable<TraceEvent>
  info: TraceInfo
} {
  if (typeof input === 'string') {
    const info = newInfo(input)
    return { events: readTrace(input, {}, info), info }
  }
  if ('file' in input) {
    const info = newInfo(input.file)
    return { events: readTrace(input.file, input.read ?? {}, info), info }
  }
  const events = input as readonly TraceEvent[]
  return { events, info: { ...newInfo('(events)'), lines: events.length, events: events.length } }
}

function summarize(
  info: TraceInfo,
  durationMs: number,
  maxCpu: number,
  counts: PairingCounts | undefined,
  devices: Set<string>,
): TraceSummary {
  const record = (m: Map<string, number> | undefined) => Object.fromEntries([...(m ?? new Map())].sort())
  return {
    trace: info.file === '(events)' ? info.file : basename(info.file),
    format: info.format ?? 'events',
    lines: info.lines,
    events: info.events,
    passedOver: info.passedOver,
    durationMs,
    cpus: maxCpu < 0 ? undefined : maxCpu + 1,
    pool: info.pool,
    unpaired: { maps: record(counts?.maps), unmaps: record(counts?.unmaps) },
    traceFailures: record(counts?.traceFailures),
    devices: [...devices].sort(),
  }
}

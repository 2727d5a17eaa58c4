import {
  BlockHolds,
  DEFAULT_POLICIES,
  findPolicy,
  type MayBlockRule,
  POLICY_NAMES,
  type PolicyName,
  type PolicyResult,
  type PoolSpec,
  parsePool,
  peekTrace,
  type ReadTraceOptions,
  replayAll,
  SCENARIOS,
  sizeTrace,
  type TraceFormat,
  type TraceSummary,
} from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { CliInputError, CliUsageError } from '../errors.js'
import { count, duration, mib, table } from '../format.js'
import type { CliIo } from '../io.js'
import { checkPoolFlag } from '../pool-limit.js'
import { ProgressBar } from '../progress.js'
import { refuseFlags } from '../run-flags.js'

/** Areas of the pool a trace is replayed on when neither --pool's trace nor its header says (16 CPUs). */
const DEFAULT_CPUS = 16

/** `dma-throttle replay <trace>`: every policy against the recorded traffic (docs/simulation.md). */
export async function replay(args: ParsedArgs, io: CliIo): Promise<number> {
  const t = await traceTarget(args, 'replay')
  const bar = new ProgressBar(io, args.json)
  bar.label(`replaying ${t.file}`)
  const { summary, policies } = await replayAll({ file: t.file, read: t.read }, t.pool, t.policies, {
    mayBlock: t.mayBlock,
  })
  bar.done()
  if (args.json) {
    io.stdout(`${JSON.stringify({ ...head(summary, t.pool), policies }, null, 2)}\n`)
    return 0
  }
  const rows = (Object.entries(policies) as Array<[PolicyName, PolicyResult]>).map(([policy, r]) => [
    policy,
    count(r.ios + r.ioErrors + r.stuckIos),
    count(r.ioErrors),
    count(r.stuckIos),
    mib(r.hiwater.exact),
    mib(r.poolBytes.peak),
    count(r.throttle.waits),
    duration(r.mapWaitUs.p99),
    duration(r.mapWaitUs.max),
    r.mibps.toFixed(1),
  ])
  io.stdout(
    `${describe(summary, t.pool)}\n\n` +
      `${table(['policy', 'maps', 'I/O errors', 'stuck', 'hiwater', 'peak pool', 'waits', 'wait p99', 'wait max', 'MiB/s'], rows)}\n`,
  )
  return 0
}

/** `dma-throttle size <trace>`: the smallest pool per policy with no I/O error, by a scan of segments. */
export async function sizeTraceCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const t = await traceTarget(args, 'size')
  const bar = new ProgressBar(io, args.json)
  bar.label(`sizing ${t.file}`)
  const result = await sizeTrace({ file: t.file, read: t.read }, t.policies, {
    mayBlock: t.mayBlock,
    areas: t.pool.areas,
    ...(args.maxWaitMs === undefined ? {} : { maxWaitMs: args.maxWaitMs }),
    onProgress: (passes) => bar.label(`sizing ${t.file}: pass ${passes}`),
  })
  bar.done()
  const sizes = Object.fromEntries(
    Object.entries(result.policies).map(([p, s]) => [p, { minPoolBytes: s.minPoolBytes }]),
  )
  if (args.json) {
    const { summary, peakBytes, limitBytes, passes } = result
    io.stdout(
      `${JSON.stringify({ trace: summary.trace, peakBytes, limitBytes, passes, policies: sizes }, null, 2)}\n`,
    )
    return 0
  }
  const rows = Object.entries(result.policies).map(([policy, s]) => [
    policy,
    s.minPoolBytes === null ? `none ≤ ${mib(result.limitBytes)}` : mib(s.minPoolBytes),
    s.minPoolBytes === null ? '-' : `swiotlb=${s.minPoolBytes / 2048}`,
    s.result === null ? '-' : mib(s.result.poolBytes.peak),
    s.result === null ? '-' : count(s.result.throttle.waits),
    s.result === null ? '-' : duration(s.result.mapWaitUs.p99),
  ])
  const fail = result.policies.fail?.minPoolBytes
  const unbounded = Object.values(result.policies).some(
    (s) => s.result !== null && s.result.mapWaitUs.max > result.summary.durationMs * 1000,
  )
  const waitNote =
    args.maxWaitMs !== undefined
      ? `no map waited more than ${args.maxWaitMs} ms (--max-wait-ms)\n`
      : unbounded
        ? 'some maps waited longer than the whole trace: the replay is open-loop (maps arrive when the trace says), so a throttle is error-free at any size; bound the wait with --max-wait-ms\n'
        : ''
  io.stdout(
    `${describe(result.summary, t.pool)}\n` +
      `peak of the trace: ${mib(result.peakBytes)}; smallest pool with no I/O error and no stuck map, ` +
      `scanned a segment (256 KiB) at a time up to ${mib(result.limitBytes)} in ${result.passes} passes\n\n` +
      `${table(['policy', 'min pool', 'kernel', 'peak pool', 'waits', 'wait p99'], rows)}\n` +
      (waitNote === '' ? '' : `\n${waitNote}`) +
      (fail === undefined || fail === null
        ? ''
        : `\nrecommendation for the kernel today (no throttle): swiotlb=${fail / 2048} (${mib(fail)}) on the kernel command line\n`),
  )
  return 0
}

/** True when `arg` names a trace file (not a scenario): `size` hands such targets to sizeTraceCommand. */
export async function isTraceTarget(arg: string | undefined): Promise<boolean> {
  if (arg === undefined || SCENARIOS.some((s) => s.name === arg)) return false
  try {
    return (await peekTrace(arg)).format !== undefined
  } catch {
    return false
  }
}

interface TraceTarget {
  file: string
  format: TraceFormat
  pool: PoolSpec
  policies: PolicyName[]
  read: ReadTraceOptions
  mayBlock: MayBlockRule
}

async function traceTarget(args: ParsedArgs, command: string): Promise<TraceTarget> {
  // A trace is no fio job and is replayed as recorded: fio's flags and --output-format do not apply.
  refuseFlags(args, `${command} on a trace`, ['outputFormat', 'runtime', 'strict', 'traceOut'])
  if (args.positionals.length !== 1) {
    throw new CliUsageError(`${command} takes one trace file, e.g. \`dma-throttle ${command} vm.trace\``)
  }
  const file = args.positionals[0]!
  let peek: Awaited<ReturnType<typeof peekTrace>>
  try {
    peek = await peekTrace(file)
  } catch (error) {
    throw new CliInputError(`cannot read ${file}: ${(error as { code?: string }).code ?? String(error)}`)
  }
  if (peek.format === undefined) {
    throw new CliInputError(
      `${file}: not a trace (expected "# dma-throttle-trace v1", an ftrace buffer or blkparse output)`,
    )
  }
  const read: ReadTraceOptions = {}
  if (args.holdFrom !== undefined) read.hold = { blockHolds: await loadHolds(args.holdFrom) }
  else if (args.holdMs !== undefined) read.hold = { holdNs: args.holdMs * 1e6 }
  else if (peek.format === 'ftrace') {
    throw new CliUsageError(
      `${file}: ftrace's swiotlb_bounced events record maps only: give --hold-ms N or --hold-from blkparse.txt`,
    )
  }
  return {
    file,
    format: peek.format,
    pool: poolFor(args.pool, peek.pool),
    policies: policiesFor(args.policies),
    read,
    mayBlock: mayBlockFor(args.mayBlock),
  }
}

async function loadHolds(file: string): Promise<BlockHolds> {
  const peek = await peekTrace(file).catch((error: unknown) => {
    throw new CliInputError(
      `--hold-from ${file}: cannot read (${(error as { code?: string }).code ?? error})`,
    )
  })
  if (peek.format !== 'blkparse') throw new CliInputError(`--hold-from ${file}: not blkparse output`)
  return BlockHolds.load(file)
}

function poolFor(flag: string | undefined, named: { size: number; areas: number } | undefined): PoolSpec {
  if (flag === undefined) return named ?? parsePool('64M', DEFAULT_CPUS)
  let pool: PoolSpec
  try {
    pool = parsePool({ size: flag }, DEFAULT_CPUS)
  } catch (error) {
    throw new CliUsageError(`--pool: ${error instanceof Error ? error.message : String(error)}`)
  }
  checkPoolFlag(flag, pool.size)
  return named === undefined ? pool : { size: pool.size, areas: Math.min(pool.areas, named.areas) }
}

function policiesFor(flag: string[] | undefined): PolicyName[] {
  if (flag === undefined) return [...DEFAULT_POLICIES]
  const names = flag.map((p) => {
    const policy = findPolicy(p)
    if (policy === undefined) {
      throw new CliUsageError(
        `--policies: unknown policy ${JSON.stringify(p)} (expected ${POLICY_NAMES.join(', ')})`,
      )
    }
    return policy.name
  })
  return [...new Set(names)]
}

function mayBlockFor(flag: string[] | undefined): MayBlockRule {
  if (flag === undefined || (flag.length === 1 && flag[0] === 'all')) return 'all'
  if (flag.length === 1 && flag[0] === 'none') return 'none'
  if (flag.some((d) => d === '' || d === 'all' || d === 'none')) {
    throw new CliUsageError(
      `--may-block expects all, none or device names, got ${JSON.stringify(flag.join(','))}`,
    )
  }
  return flag
}

function head(summary: TraceSummary, pool: PoolSpec) {
  const { trace, format, events, durationMs, unpaired, traceFailures } = summary
  return {
    trace,
    format,
    events,
    durationMs,
    poolBytes: pool.size,
    areas: pool.areas,
    unpaired,
    traceFailures,
  }
}

function describe(s: TraceSummary, pool: PoolSpec): string {
  const lines = [
    `${s.trace}: ${s.format}, ${count(s.events)} events over ${duration(s.durationMs * 1000)}, ` +
      `replayed on ${mib(pool.size)} in ${pool.areas} areas`,
  ]
  const perDevice = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([d, n]) => `${d} ${count(n)}`)
      .join(', ')
  if (Object.keys(s.unpaired.maps).length > 0)
    lines.push(`maps never unmapped: ${perDevice(s.unpaired.maps)}`)
  if (Object.keys(s.unpaired.unmaps).length > 0)
    lines.push(`unmaps of no map: ${perDevice(s.unpaired.unmaps)}`)
  if (Object.keys(s.traceFailures).length > 0)
    lines.push(`maps that failed in the trace: ${perDevice(s.traceFailures)}`)
  if (s.passedOver > 0) lines.push(`${count(s.passedOver)} lines of other events passed over`)
  return lines.join('\n')
}

import {
  BlockHolds,
  DEFAULT_POLICIES,
  findPolicy,
  type MayBlockRule,
  POLICY_NAMES,
  type PolicyName,
  type PoolSpec,
  parsePool,
  peekTrace,
  type ReadTraceOptions,
  SCENARIOS,
  type TraceFormat,
  type TraceSummary,
} from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { CliInputError, CliUsageError } from '../errors.js'
import { readProblem } from '../file-errors.js'
import { count, duration, mib } from '../format.js'
import { checkPoolFlag } from '../pool-limit.js'

/** Areas of the pool a trace is replayed on when neither --pool's trace nor its header says (16 CPUs). */
const DEFAULT_CPUS = 16

/** What `replay`, `size` and `hiwater` read from their command line when the target is a trace. */
export interface TraceTarget {
  file: string
  format: TraceFormat
  pool: PoolSpec
  /** True when --pool or the trace's header gave the pool (else 64 MiB in 16 areas was assumed). */
  poolNamed: boolean
  policies: PolicyName[]
  read: ReadTraceOptions
  mayBlock: MayBlockRule
}

/** True when `arg` names a trace file (not a scenario): `size` and `hiwater` hand such targets on. */
export async function isTraceTarget(arg: string | undefined): Promise<boolean> {
  if (arg === undefined || SCENARIOS.some((s) => s.name === arg)) return false
  try {
    return (await peekTrace(arg)).format !== undefined
  } catch {
    return false
  }
}

/**
 * The trace, pool, policies and reading options of `command <trace>`. The command has refused the
 * flags that do not apply to a replay (command-flags.ts).
 */
export async function traceTarget(args: ParsedArgs, command: string): Promise<TraceTarget> {
  if (args.positionals.length !== 1) {
    throw new CliUsageError(`${command} takes one trace file, e.g. \`dma-throttle ${command} vm.trace\``)
  }
  const file = args.positionals[0]!
  let peek: Awaited<ReturnType<typeof peekTrace>>
  try {
    peek = await peekTrace(file)
  } catch (error) {
    throw new CliInputError(`cannot read ${file}: ${readProblem(error)}`)
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
    poolNamed: args.pool !== undefined || peek.pool !== undefined,
    policies: policiesFor(args.policies),
    read,
    mayBlock: mayBlockFor(args.mayBlock),
  }
}

async function loadHolds(file: string): Promise<BlockHolds> {
  const peek = await peekTrace(file).catch((error: unknown) => {
    throw new CliInputError(`--hold-from ${file}: cannot read (${readProblem(error)})`)
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

/**
 * What `--may-block` names that the trace never maps: such a name has no effect, and is said so on
 * stderr (a misspelt device would otherwise leave every map of the real one non-blocking, silently).
 */
export function mayBlockNotice(rule: MayBlockRule, summary: TraceSummary): string | undefined {
  if (typeof rule === 'string') return undefined
  const unknown = rule.filter((d) => !summary.devices.includes(d))
  if (unknown.length === 0) return undefined
  const names = unknown.map((d) => JSON.stringify(d)).join(', ')
  const known = summary.devices.length === 0 ? 'none' : summary.devices.join(', ')
  return `--may-block: the trace maps no device ${names}, so it has no effect (devices in the trace: ${known})\n`
}

/** The `--json` fields every trace command starts with. */
export function traceHead(summary: TraceSummary) {
  const { trace, format, events, durationMs, cpus, unpaired, traceFailures } = summary
  return { trace, format, events, durationMs, cpus: cpus ?? null, unpaired, traceFailures }
}

/** The lines every trace command starts with: what the trace is, and what did not pair in it. */
export function describeTrace(s: TraceSummary, where: string): string {
  const lines = [
    `${s.trace}: ${s.format}, ${count(s.events)} events over ${duration(s.durationMs * 1000)}, ${where}`,
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

/** "8.0 MiB in 8 areas" */
export function poolWords(pool: PoolSpec): string {
  return `${mib(pool.size)} in ${pool.areas} area${pool.areas === 1 ? '' : 's'}`
}

import { formatBytes, SEGMENT_SLOTS, SLOT_SIZE } from '../../index.js'
import { type PolicyName, sizeTrace, type TracePolicySize, type TraceSizeResult } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { count, duration, mib, table } from '../format.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { anyShort, scanWords, verificationWords } from '../size-words.js'
import { describeTrace, mayBlockNotice, traceHead, traceTarget } from './trace-target.js'

/**
 * `dma-throttle size <trace>`: `size <scenario>`'s answer for a recorded workload (sim/workloads/traces/
 * trace-size.ts): per policy the smallest pool whose replay is healthy, found by the same search, and
 * the `swiotlb=` line a kernel boots with.
 */
export async function sizeTraceCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  refuseOtherFlags(args, 'size on a trace')
  const t = await traceTarget(args, 'size')
  const bar = new ProgressBar(io, args.json)
  bar.label(`sizing ${t.file}`)
  const result = await sizeTrace({ file: t.file, read: t.read }, t.policies, {
    mayBlock: t.mayBlock,
    ...(t.poolNamed ? { areas: t.pool.areas } : {}),
    ...(args.maxWaitMs === undefined ? {} : { maxWaitMs: args.maxWaitMs }),
    onProgress: (f) => bar.update(f),
  })
  bar.done()
  const notice = mayBlockNotice(t.mayBlock, result.summary)
  if (notice !== undefined) io.stderr(notice)
  if (args.json) {
    const { summary, peakBytes, limitBytes, areas, cpus, maxWaitMs, verifyAbove, passes, replays, policies } =
      result
    const json = {
      ...traceHead(summary),
      peakBytes,
      limitBytes,
      areas,
      cpus,
      maxWaitMs,
      verifyAbove,
      passes,
      replays,
      policies,
    }
    io.stdout(`${JSON.stringify(json, null, 2)}\n`)
    return 0
  }
  io.stdout(formatTraceSize(result))
  return 0
}

/** The text of `size <trace>`: `size <scenario>`'s layout, with what one replay does and does not show. */
export function formatTraceSize(result: TraceSizeResult): string {
  const { summary, areas } = result
  const entries = Object.entries(result.policies) as Array<[PolicyName, TracePolicySize]>
  const step = areas * SEGMENT_SLOTS * SLOT_SIZE
  const rows = entries.map(([policy, r]) => [
    policy,
    r.minPoolBytes === null ? 'none' : mib(r.minPoolBytes),
    r.areas === null ? '-' : String(r.areas),
    r.perSeedMinPoolBytes.p50 === null ? '-' : mib(r.perSeedMinPoolBytes.p50),
    r.peakPoolBytes === null ? '-' : mib(r.peakPoolBytes),
    r.mapWaitP99Us === null ? '-' : duration(r.mapWaitP99Us),
    r.mapWaitMaxUs === null ? '-' : duration(r.mapWaitMaxUs),
    r.clatP99Us === null ? '-' : duration(r.clatP99Us),
    String(r.sizesTried),
  ])
  const width = Math.max(...entries.map(([p]) => p.length))
  const verdicts = entries.map(([policy, r]) => `${policy.padEnd(width)}  ${r.recommendation}`)
  const cpus =
    summary.cpus === undefined ? `${result.cpus} CPUs assumed` : `${summary.cpus} CPUs in the trace`
  const criteria =
    'no I/O error and no stuck map in the replay' +
    (result.maxWaitMs === null
      ? ''
      : `, and no map waiting ${result.maxWaitMs} ms (--max-wait-ms: a map that waits that long fails)`)
  const unbounded =
    result.maxWaitMs === null &&
    entries.some(([, r]) => r.mapWaitMaxUs !== null && r.mapWaitMaxUs > summary.durationMs * 1000)
  const above = result.verifyAbove
  const atAnswer =
    above === 0
      ? 'the answer'
      : `the answer and at the ${above === 1 ? 'size' : `${above} sizes`} above it${anyShort(above, entries) ? ` where the grid has them (up to ${formatBytes(result.limitBytes)})` : ''}`
  return (
    `${describeTrace(summary, `${cpus}: pools of ${areas} area${areas === 1 ? '' : 's'}`)}\n` +
    `one replay per pool size (a replay is deterministic: no seeds), sizes in whole segments per area (${mib(step)} steps with ${areas} areas)\n` +
    `criteria: ${criteria}\n` +
    `search: ${scanWords(result.limitBytes)}, then every size between the last that failed and the first that passed, then ${verificationWords(result.verifyAbove, result.limitBytes, entries)} (${count(result.replays)} replays in ${result.passes} passes of the file)\n` +
    `unconstrained: the replay on a ${formatBytes(result.limitBytes)} pool, where the trace peaks at ${mib(result.peakBytes)}\n\n` +
    `${table(['policy', 'answer', 'areas', 'lowest pass', 'peak pool', 'map wait p99', 'wait max', 'clat p99', 'sizes'], rows)}\n\n` +
    `${verdicts.join('\n')}\n\n` +
    `What one replay shows: the recorded traffic, with its arrivals and hold times as recorded, has no error at ${atAnswer} (a lowest pass below the answer is an island, with failures above it). ` +
    'It is one deterministic run, so there is no spread over seeds to bound, and it says nothing of traffic the capture did not see (a busier hour, other devices) nor of a device that would slow down when its maps wait (the replay is open-loop). Record the busiest period and leave a margin.\n' +
    (unbounded
      ? '\nSome maps waited longer than the whole trace: under a throttle an open-loop replay is error-free at almost any size because its maps wait instead; bound the wait with --max-wait-ms.\n'
      : '')
  )
}

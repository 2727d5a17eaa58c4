import { hiwaterTrace, type TraceHiwaterResult } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { CliUsageError } from '../errors.js'
import { count, mib, table } from '../format.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { areasFlag, intervalsFlag } from '../run-flags.js'
import { describeTrace, mayBlockNotice, traceHead, traceTarget } from './trace-target.js'

/**
 * `dma-throttle hiwater <trace>`: `hiwater <scenario>` for a recorded workload. A replay is
 * deterministic, so where the scenario's command varies seeds this one varies the samplers' phases.
 */
export async function hiwaterTraceCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  refuseOtherFlags(args, 'hiwater on a trace')
  const t = await traceTarget(args, 'hiwater')
  if (args.policies !== undefined && t.policies.length !== 1) {
    throw new CliUsageError('hiwater measures one policy: give --policies one name (default fail)')
  }
  const areas = areasFlag(args)
  const intervals = intervalsFlag(args)
  const bar = new ProgressBar(io, args.json)
  bar.label(`hiwater ${t.file}`)
  let result: TraceHiwaterResult
  try {
    result = await hiwaterTrace({ file: t.file, read: t.read }, t.pool.size, {
      mayBlock: t.mayBlock,
      ...(args.policies === undefined ? {} : { policy: t.policies[0]! }),
      ...(areas === undefined ? {} : { areas }),
      ...(intervals === undefined ? {} : { intervalsMs: intervals }),
    })
  } catch (error) {
    if (error instanceof RangeError) throw new CliUsageError(`--areas: ${error.message}`)
    throw error
  }
  bar.done()
  const notice = mayBlockNotice(t.mayBlock, result.summary)
  if (notice !== undefined) io.stderr(notice)
  if (args.json) {
    const { summary, ...rest } = result
    io.stdout(`${JSON.stringify({ ...traceHead(summary), ...rest }, null, 2)}\n`)
    return 0
  }
  const x = (v: number) => `${v.toFixed(3)}×`
  const marks = result.exact
  const exact = marks.every((e) => e.bytes === marks[0]!.bytes)
    ? `${mib(marks[0]!.bytes)} at every area count`
    : `${marks.map((e) => `${mib(e.bytes)} at ${e.areas}`).join(', ')} areas`
  const long = result.sampled.filter((s) => s.intervalMs > result.summary.durationMs)
  const once =
    long.length === 0
      ? ''
      : `\nintervals longer than the trace (${long.map((s) => `${s.intervalMs} ms`).join(', ')}) read it once at most: record longer to judge them\n`
  const errors = marks.filter((e) => e.ioErrors > 0)
  const warn =
    errors.length === 0
      ? ''
      : `\nthe pool was too small for the trace: ${errors.map((e) => `${count(e.ioErrors)} I/O errors at ${e.areas} areas`).join(', ')}; failed maps change the usage the samplers read: give a larger --pool\n`
  io.stdout(
    `${describeTrace(result.summary, `replayed on ${mib(result.poolBytes)}`)}\n` +
      `${result.policy}: one replay per area count (${marks.length}: ${marks.map((e) => e.areas).join(', ')}); a replay is deterministic, so the samplers' ${result.offsets} phases are what varies\n` +
      `exact high-water mark: ${exact}\n\n` +
      `sampled ÷ exact (a sampler reads usage every interval; over ${result.offsets} sampler phases and the area counts)\n` +
      `${table(
        ['interval', 'mean', 'worst'],
        result.sampled.map((s) => [`${s.intervalMs} ms`, x(s.mean), x(s.worst)]),
      )}\n\n` +
      "per-area sum ÷ exact (the sum of every area's own mark; one replay per area count)\n" +
      `${table(
        ['areas', 'ratio'],
        result.perAreaSum.map((p) => [String(p.areas), x(p.ratio)]),
      )}\n` +
      once +
      warn,
  )
  return 0
}

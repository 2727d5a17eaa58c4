import { checkHiwaterAreas, runHiwater } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { CliUsageError } from '../errors.js'
import { mib, table } from '../format.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { areasFlag, intervalsFlag, jobsFlag, seedsFlag } from '../run-flags.js'
import { resolveTarget, specFor, tellNotices } from '../target.js'

/** Seeds per area count when --seeds is not given. */
export const DEFAULT_HIWATER_SEEDS = 5

/**
 * `dma-throttle hiwater <scenario | file>`: how far a sampled high-water mark (a sampler reading usage
 * every interval) and the sum of per-area marks are from the exact one.
 */
export async function hiwater(args: ParsedArgs, io: CliIo): Promise<number> {
  refuseOtherFlags(args, 'hiwater')
  if (args.positionals.length > 1 || (args.positionals.length === 0 && args.fioArgs.length === 0)) {
    throw new CliUsageError(
      "hiwater takes one scenario or file, or fio's arguments after --, e.g. `dma-throttle hiwater hiwater-accuracy`",
    )
  }
  const target = await resolveTarget(args.positionals[0], io, args)
  const spec = specFor(target, { ...args, policies: undefined })
  if (args.policies !== undefined && args.policies.length !== 1) {
    throw new CliUsageError('hiwater measures one policy: give --policies one name (default fail)')
  }
  const areas = areasFlag(args)
  const intervals = intervalsFlag(args)
  const seeds = seedsFlag(args, DEFAULT_HIWATER_SEEDS)
  const jobs = jobsFlag(args)
  if (areas !== undefined) {
    try {
      checkHiwaterAreas(spec.pool.size, areas)
    } catch (error) {
      // Only the area counts come from a flag runHiwater checks itself (one that does not split the pool).
      if (error instanceof RangeError) throw new CliUsageError(`--areas: ${error.message}`)
      throw error
    }
  }
  // Every flag is read: from here on, the notices line, then the run.
  tellNotices(target, args.positionals[0], io)
  const bar = new ProgressBar(io, args.json)
  bar.label(`hiwater ${spec.name}`)
  const result = await runHiwater(spec, {
    ...(args.policies === undefined ? {} : { policy: args.policies[0] as 'fail' }),
    ...(areas === undefined ? {} : { areas }),
    ...(intervals === undefined ? {} : { intervalsMs: intervals }),
    seeds,
    jobs,
    onProgress: (f) => bar.update(f),
  })
  bar.done()
  if (args.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`)
    return 0
  }
  const runs = result.seeds.count * result.perAreaSum.length
  const x = (v: number) => `${v.toFixed(3)}×`
  const marks = result.exactBytes
  const exact = marks.every((e) => e.mean === marks[0]!.mean)
    ? `${mib(marks[0]!.mean)} at every area count`
    : `${marks.map((e) => `${mib(e.mean)} at ${e.areas}`).join(', ')} areas`
  io.stdout(
    `${result.scenario} under ${result.policy}: pool ${mib(result.poolBytes)}, ${result.runtimeMs} ms, ` +
      `${runs} runs (${result.seeds.count} seeds × ${result.perAreaSum.length} area counts)\n` +
      `exact high-water mark, mean over seeds: ${exact}\n\n` +
      `sampled ÷ exact (a sampler reads usage every interval; over seeds, ${result.offsets} sampler phases and area counts)\n` +
      `${table(
        ['interval', 'mean', 'worst'],
        result.sampled.map((s) => [`${s.intervalMs} ms`, x(s.mean), x(s.worst)]),
      )}\n\n` +
      "per-area sum ÷ exact (the sum of every area's own mark; over seeds)\n" +
      `${table(
        ['areas', 'mean', 'worst'],
        result.perAreaSum.map((p) => [String(p.areas), x(p.mean), x(p.worst)]),
      )}\n`,
  )
  return 0
}

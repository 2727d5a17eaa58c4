import { renderSizingReport, sweepReportModel } from '../../report/sizing-report.js'
import { runSweep, type SimSpec, sweepHeader, sweepLines } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { CliUsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { checkReportPath } from '../report-path.js'
import { jobsFlag, poolsFlag, seedsFlag } from '../run-flags.js'
import { shardFlag } from '../shard-flag.js'
import { formatSweep } from '../sweep-output.js'
import { resolveTarget, specFor, type Target, tellNotices } from '../target.js'

/** Seeds per grid point when --seeds is not given. */
export const DEFAULT_SWEEP_SEEDS = 10

/**
 * `dma-throttle sweep <scenario | file>…`: every spec × policy × pool size (--pools) × seed (--seeds).
 * Prints a summary table, or with --json (always with --shard) the JSON Lines: a header, then one row
 * per run. `merge` turns the shards' lines back into exactly what one run prints.
 */
export async function sweep(args: ParsedArgs, io: CliIo): Promise<number> {
  refuseOtherFlags(args, 'sweep')
  if (args.positionals.length === 0 && args.fioArgs.length === 0) {
    throw new CliUsageError(
      "sweep takes one or more scenarios or files, or fio's arguments after --, e.g. `dma-throttle sweep coco-fio`",
    )
  }
  // No name: fio's arguments alone are the one spec.
  const targets = args.positionals.length === 0 ? [undefined] : args.positionals
  const specs: SimSpec[] = []
  const read: Array<[Target, string | undefined]> = []
  for (const name of targets) {
    const target = await resolveTarget(name, io, args)
    read.push([target, name])
    specs.push(specFor(target, args))
  }
  const names = new Set(specs.map((s) => s.name))
  if (names.size !== specs.length) throw new CliUsageError('sweep: two specs have the same name')
  // --policies is already in every spec; else every policy any spec names, in the order first named.
  const policies = [...new Set(specs.flatMap((s) => s.policies))]
  const shard = shardFlag(args.shard, io.env)
  if (args.report !== undefined && shard !== undefined && shard.count > 1) {
    throw new CliUsageError(
      `sweep --report draws the whole grid: give --report to merge, with the shards (--shard ${shard.index}/${shard.count} runs a slice of it)`,
    )
  }
  if (args.report !== undefined) await checkReportPath(args.report, io)
  const grid = {
    specs,
    policies,
    poolBytes: poolsFlag(args, specs[0]),
    seeds: seedsFlag(args, DEFAULT_SWEEP_SEEDS),
  }
  const jobs = jobsFlag(args)
  // Every flag is read: from here on, the notices lines, then the run.
  for (const [target, name] of read) tellNotices(target, name, io)
  const header = sweepHeader(grid, shard)
  const bar = new ProgressBar(io, false, { lines: true })
  bar.label(`sweep${shard === undefined ? '' : ` shard ${shard.index}/${shard.count}`}`)
  const rows = await runSweep(grid, {
    jobs,
    ...(shard === undefined ? {} : { shard }),
    onRow: (_, done, total) => bar.update(done / total),
  })
  bar.done()
  // Any --shard prints JSON Lines, 1/1 too: what merge reads, whatever the runner's count came to.
  const lines = args.json || shard !== undefined
  io.stdout(lines ? sweepLines(header, rows) : formatSweep(header, rows))
  if (args.report !== undefined) {
    await io.writeFile(args.report, await renderSizingReport(sweepReportModel(header, rows)))
    ;(lines ? io.stderr : io.stdout)(`${lines ? '' : '\n'}report written to ${args.report}\n`)
  }
  return 0
}

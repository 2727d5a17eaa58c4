import { renderSizingReport, sweepReportModel } from '../../report/sizing-report.js'
import { mergeShards } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { CliInputError, CliUsageError } from '../errors.js'
import { readProblem } from '../file-errors.js'
import type { CliIo } from '../io.js'
import { checkReportPath } from '../report-path.js'
import { formatSweep } from '../sweep-output.js'

/**
 * `dma-throttle merge <shard files…>`: the shards of one sweep (`sweep --shard i/n`, JSON Lines) back
 * into exactly what one unsharded run prints: the table, or with --json the JSON Lines.
 */
export async function merge(args: ParsedArgs, io: CliIo): Promise<number> {
  refuseOtherFlags(args, 'merge')
  if (args.positionals.length === 0) {
    throw new CliUsageError(
      'merge takes the JSON Lines files of the shards, e.g. `dma-throttle merge shard-*.jsonl`',
    )
  }
  if (args.report !== undefined) await checkReportPath(args.report, io)
  const files = []
  for (const name of args.positionals) {
    try {
      files.push({ name, text: await io.readFile(name) })
    } catch (error) {
      throw new CliInputError(`cannot read ${name}: ${readProblem(error)}`)
    }
  }
  const merged = mergeShards(files)
  io.stdout(args.json ? merged.text : formatSweep(merged.header, merged.rows))
  if (args.report !== undefined) {
    // The same page `sweep --report` writes for the whole grid.
    await io.writeFile(args.report, await renderSizingReport(sweepReportModel(merged.header, merged.rows)))
    ;(args.json ? io.stderr : io.stdout)(`${args.json ? '' : '\n'}report written to ${args.report}\n`)
  }
  return 0
}

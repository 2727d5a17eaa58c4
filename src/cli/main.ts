import { parseArgs } from './args.js'
import { explain } from './commands/explain.js'
import { help } from './commands/help.js'
import { hiwater } from './commands/hiwater.js'
import { merge } from './commands/merge.js'
import { replay } from './commands/replay.js'
import { scenarios } from './commands/scenarios.js'
import { simulate } from './commands/simulate.js'
import { size } from './commands/size.js'
import { sweep } from './commands/sweep.js'
import { hiwaterTraceCommand } from './commands/trace-hiwater.js'
import { sizeTraceCommand } from './commands/trace-size.js'
import { isTraceTarget } from './commands/trace-target.js'
import { version } from './commands/version.js'
import { CliUsageError, oneLine } from './errors.js'
import { type CliIo, processIo } from './io.js'

/**
 * Entry point of the `dma-throttle` command. Returns the exit code: 0 on success, 2 for a bad command
 * line, 1 for anything else. Every failure is one line on stderr, never a stack trace (set
 * DMA_THROTTLE_DEBUG=1 to see one).
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const args = parseArgs(argv)
    if (args.help) return await help(io)
    if (args.version) return await version(io)
    switch (args.command) {
      case '':
      case 'help':
        return await help(io)
      case 'simulate':
        return await simulate(args, io)
      case 'scenarios':
        return await scenarios(args, io)
      case 'size':
        return (await isTraceTarget(args.positionals[0]))
          ? await sizeTraceCommand(args, io)
          : await size(args, io)
      case 'sweep':
        return await sweep(args, io)
      case 'merge':
        return await merge(args, io)
      case 'hiwater':
        return (await isTraceTarget(args.positionals[0]))
          ? await hiwaterTraceCommand(args, io)
          : await hiwater(args, io)
      case 'replay':
        return await replay(args, io)
      case 'explain':
        return await explain(args, io)
      default:
        throw new CliUsageError(
          `unknown command ${JSON.stringify(args.command)} (expected simulate, explain, scenarios, size, sweep, merge, hiwater or replay)`,
        )
    }
  } catch (error) {
    io.stderr(`dma-throttle: ${oneLine(error)}\n`)
    if (io.env['DMA_THROTTLE_DEBUG'] === '1' && error instanceof Error) io.stderr(`${error.stack}\n`)
    return error instanceof CliUsageError ? 2 : 1
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2))
}

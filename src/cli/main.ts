import { type ParsedArgs, parseArgs } from './args.js'
import { COMMAND_HELP, commandHelp, isHelpCommand } from './command-help.js'
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
import { CliUsageError, isExpected, oneLine } from './errors.js'
import { type CliIo, processIo } from './io.js'
import { didYouMean } from './nearest.js'

/**
 * Entry point of the `dma-throttle` command. Returns the exit code: 0 on success, 2 for a bad command
 * line, 1 for anything else. Every expected failure (a coded error: bad input, a missing file) is one
 * line on stderr, with its stack only under DMA_THROTTLE_DEBUG=1; anything else is a bug, and its stack
 * follows the line.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const args = parseArgs(argv)
    if (args.help || args.command === 'help') return await helpFor(args, io)
    if (args.version) return await version(io)
    switch (args.command) {
      case '':
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
        throw unknownCommand(args.command)
    }
  } catch (error) {
    io.stderr(`dma-throttle: ${oneLine(error)}\n`)
    const stack = !isExpected(error) || io.env['DMA_THROTTLE_DEBUG'] === '1'
    if (stack && error instanceof Error) io.stderr(`${error.stack}\n`)
    return error instanceof CliUsageError ? 2 : 1
  }
}

/**
 * `--help` anywhere, or `help [command]`: the command's own help, else the global one. `--help` answers
 * for the command in front of it whatever else the line holds; `help` takes one command name.
 */
async function helpFor(args: ParsedArgs, io: CliIo): Promise<number> {
  const words = args.command === 'help' ? args.positionals : [args.command]
  if (args.command === 'help' && words.length > 1) {
    throw new CliUsageError(`help takes one command, got ${words.length}`)
  }
  const command = words[0] ?? ''
  if (command === '' || command === 'help') return await help(io)
  if (!isHelpCommand(command)) throw unknownCommand(command)
  io.stdout(commandHelp(command))
  return 0
}

function unknownCommand(command: string): CliUsageError {
  const commands = Object.keys(COMMAND_HELP)
  const expected = `expected ${commands.slice(0, -1).join(', ')} or ${commands.at(-1)}`
  return new CliUsageError(
    `unknown command ${JSON.stringify(command)} (${didYouMean(command, commands) ?? expected})`,
  )
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2))
}

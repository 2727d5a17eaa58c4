import type { Flag, ParsedArgs } from './args.js'
import { CliUsageError } from './errors.js'

/** The flags of fio input (a job file, or fio's arguments after `--`). */
const FIO: readonly Flag[] = ['--strict', '--runtime', '--']

const DETERMINISTIC = 'a replay is deterministic (the same trace gives the same run)'
const NOT_FIO = 'a trace is no fio job'

/**
 * Each command's flags: the ones it uses, and why it refuses some of the others. Any other flag is
 * refused, never ignored (DESIGN: nothing ignored silently), so a new flag goes into this table.
 * `--help` and `--version` answer before any command runs.
 */
export const COMMAND_FLAGS = {
  simulate: {
    takes: ['--json', '--seed', '--report', '--pool', '--policies', '--trace-out', '--output-format', ...FIO],
  },
  explain: { takes: ['--json', ...FIO], why: { '--pool': 'it reads the spec as written' } },
  scenarios: { takes: ['--json'] },
  size: {
    takes: ['--json', '--seed', '--seeds', '--jobs', '--min-throughput', '--report', '--policies', ...FIO],
    why: {
      '--pool': "it searches the pool size itself, on the spec's areas",
      '--max-wait-ms': 'it bounds the waits of a replay: give size a trace',
    },
  },
  'size on a trace': {
    takes: ['--json', '--pool', '--policies', '--hold-ms', '--hold-from', '--may-block', '--max-wait-ms'],
    why: {
      '--seed': DETERMINISTIC,
      '--seeds': DETERMINISTIC,
      '--jobs': 'one pass of the file feeds every replay',
      '--min-throughput':
        'a replay keeps the trace’s arrivals and hold times, so every healthy pool moves the same bytes in the same time; bound the waits with --max-wait-ms instead',
      '--strict': NOT_FIO,
      '--runtime': NOT_FIO,
      '--': NOT_FIO,
    },
  },
  sweep: {
    takes: ['--json', '--seed', '--seeds', '--jobs', '--pools', '--shard', '--report', '--policies', ...FIO],
    why: { '--pool': 'give the sizes with --pools' },
  },
  merge: { takes: ['--json', '--report'], why: { '--seed': "the shards' header says what ran" } },
  hiwater: {
    takes: [
      '--json',
      '--seed',
      '--seeds',
      '--jobs',
      '--areas',
      '--intervals',
      '--pool',
      '--policies',
      ...FIO,
    ],
  },
  'hiwater on a trace': {
    takes: [
      '--json',
      '--pool',
      '--policies',
      '--areas',
      '--intervals',
      '--hold-ms',
      '--hold-from',
      '--may-block',
    ],
    why: {
      '--seed': DETERMINISTIC,
      '--seeds': DETERMINISTIC,
      '--max-wait-ms': 'it measures samplers, not sizes',
      '--strict': NOT_FIO,
      '--runtime': NOT_FIO,
      '--': NOT_FIO,
    },
  },
  replay: {
    takes: ['--json', '--pool', '--policies', '--hold-ms', '--hold-from', '--may-block', '--max-wait-ms'],
    why: {
      '--seed': DETERMINISTIC,
      '--seeds': DETERMINISTIC,
      '--jobs': 'one pass of the file feeds every policy',
      '--strict': NOT_FIO,
      '--runtime': NOT_FIO,
      '--': NOT_FIO,
    },
  },
} satisfies Record<string, { takes: readonly Flag[]; why?: Partial<Record<Flag, string>> }>

export type CommandName = keyof typeof COMMAND_FLAGS

/** Refuses the first flag given that `command` does not use: one line naming both. */
export function refuseOtherFlags(args: ParsedArgs, command: CommandName): void {
  const entry: { takes: readonly Flag[]; why?: Partial<Record<Flag, string>> } = COMMAND_FLAGS[command]
  const flag = args.given.find((f) => !entry.takes.includes(f))
  if (flag === undefined) return
  const why = entry.why?.[flag]
  const named = flag === '--' ? 'fio arguments after --' : flag
  throw new CliUsageError(`${command} does not take ${named}${why === undefined ? '' : `: ${why}`}`)
}

import { POLICY_NAMES } from '../sim/index.js'
import type { Flag } from './args.js'
import { COMMAND_FLAGS, type CommandName } from './command-flags.js'
import { DEFAULT_HIWATER_SEEDS } from './commands/hiwater.js'
import { DEFAULT_SIZE_SEEDS } from './commands/size.js'
import { DEFAULT_SWEEP_SEEDS } from './commands/sweep.js'
import { MAX_POOL } from './pool-limit.js'

/** A command as typed: `size` and `hiwater` cover two rows of COMMAND_FLAGS (on a spec, on a trace). */
export type HelpCommand = Exclude<CommandName, 'size on a trace' | 'hiwater on a trace'>

interface CommandHelp {
  /** What it does, one line. */
  what: string
  /** How it is called: the words after `dma-throttle`. */
  usage: readonly string[]
  /** The rows of COMMAND_FLAGS it covers, each with its heading (none when there is one row). */
  tables: ReadonlyArray<{ row: CommandName; heading?: string }>
  example: string
}

const FIO_USAGE = '-- --name=a --rw=randread …'
const ON_SPEC = 'on a scenario or spec file'
const ON_TRACE = 'on a trace'

export const COMMAND_HELP: Record<HelpCommand, CommandHelp> = {
  simulate: {
    what: 'run every policy on a workload and compare them',
    usage: ['simulate [scenario | spec file] [flags]', `simulate ${FIO_USAGE}`],
    tables: [{ row: 'simulate' }],
    example: 'simulate coco-fio --pool 32M --policies fail,throttle',
  },
  explain: {
    what: 'what the simulator understood of a spec or fio job file (runs nothing)',
    usage: ['explain <spec file | scenario> [flags]', `explain ${FIO_USAGE}`],
    tables: [{ row: 'explain' }],
    example: 'explain jobs.fio',
  },
  scenarios: {
    what: 'list the scenarios and their claims',
    usage: ['scenarios [flags]'],
    tables: [{ row: 'scenarios' }],
    example: 'scenarios --json',
  },
  size: {
    what: 'the smallest pool per policy, K seeds per size, and the swiotlb= line to boot with',
    usage: ['size <scenario | spec file> [flags]', `size ${FIO_USAGE}`, 'size <trace> [flags]'],
    tables: [
      { row: 'size', heading: ON_SPEC },
      { row: 'size on a trace', heading: ON_TRACE },
    ],
    example: 'size coco-fio --seeds 10 --policies throttle',
  },
  sweep: {
    what: 'policies × --pools × --seeds, one row per run (JSON Lines with --json)',
    usage: ['sweep <scenario | spec file>… [flags]', `sweep ${FIO_USAGE}`],
    tables: [{ row: 'sweep' }],
    example: 'sweep coco-fio --pools 32M,48M,64M --seeds 10 --json',
  },
  merge: {
    what: 'the shards of a sweep (its --json output), as one run would print them',
    usage: ['merge <shard files…> [flags]'],
    tables: [{ row: 'merge' }],
    example: 'merge s1.jsonl s2.jsonl s3.jsonl s4.jsonl',
  },
  hiwater: {
    what: 'sampled and per-area high-water marks against the exact one',
    usage: ['hiwater <scenario | spec file> [flags]', `hiwater ${FIO_USAGE}`, 'hiwater <trace> [flags]'],
    tables: [
      { row: 'hiwater', heading: ON_SPEC },
      { row: 'hiwater on a trace', heading: ON_TRACE },
    ],
    example: 'hiwater hiwater-accuracy --areas 1,16 --intervals 1,10',
  },
  replay: {
    what: 'replay a recorded trace against every policy',
    usage: ['replay <trace> [flags]'],
    tables: [{ row: 'replay' }],
    example: 'replay vm.trace --pool 32M --max-wait-ms 10',
  },
}

/** A flag's value and its line of text; `text` may depend on the row (defaults differ). */
interface FlagText {
  value?: string
  text: string | ((row: CommandName) => string)
}

const ON_TRACE_ROWS: readonly CommandName[] = ['size on a trace', 'hiwater on a trace', 'replay']
const SEEDS: Partial<Record<CommandName, number>> = {
  size: DEFAULT_SIZE_SEEDS,
  sweep: DEFAULT_SWEEP_SEEDS,
  hiwater: DEFAULT_HIWATER_SEEDS,
}

/** Every flag a command can take (args.ts's table): a new flag without a line here does not compile. */
const FLAG_TEXT: Record<Exclude<Flag, '--help' | '--version'>, FlagText> = {
  '--json': { text: 'machine-readable output (no progress bar)' },
  '--seed': { value: 'N', text: 'seed of the random streams: same seed, same output (default 1)' },
  '--report': { value: 'out.html', text: 'also write a self-contained HTML report with charts' },
  '--pool': {
    value: 'SIZE',
    text: (row) =>
      row === 'size on a trace'
        ? "the pool whose areas the search keeps (default: the trace's pool, else 64M)"
        : ON_TRACE_ROWS.includes(row)
          ? `the pool, e.g. 32M (default: the trace's pool, else 64M; at most ${MAX_POOL.label})`
          : `the pool, e.g. 32M (default: the spec's own; at most ${MAX_POOL.label})`,
  },
  '--policies': {
    value: 'a,b',
    text: (row) =>
      row === 'hiwater' || row === 'hiwater on a trace'
        ? `the one policy to measure (default fail; ${POLICY_NAMES.join(', ')})`
        : `only these policies (${POLICY_NAMES.join(', ')})`,
  },
  '--jobs': {
    value: 'N',
    text: 'runs at once in worker threads (default: every core); output never changes',
  },
  '--seeds': {
    value: 'N',
    text: (row) => `seeds${row === 'hiwater' ? '' : ' per size'}, from --seed on (default ${SEEDS[row]})`,
  },
  '--min-throughput': {
    value: 'P',
    text: 'also need P % of the MiB/s of an unconstrained pool, in every seed',
  },
  '--pools': { value: 'A,B,…', text: "initial pool sizes, e.g. 32M,48M,64M (default: each spec's own)" },
  '--shard': {
    value: 'i/n | auto',
    text: 'run the i-th of n slices (auto: JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or PARALLEL_SEQ)',
  },
  '--areas': { value: 'A,B,…', text: 'area counts, powers of two (default: powers of two up to 128)' },
  '--intervals': { value: 'T,…', text: 'sampling intervals in ms (default 0.1 … 1000)' },
  '--trace-out': { value: 'FILE', text: "write the first policy's maps and unmaps as a trace" },
  '--hold-ms': { value: 'N', text: 'the hold time of maps when the trace has none (ftrace swiotlb_bounced)' },
  '--hold-from': { value: 'FILE', text: 'take those hold times from a blkparse trace of the same run' },
  '--may-block': { value: 'a,b', text: 'devices whose maps may wait when the trace cannot say (all, none)' },
  '--max-wait-ms': { value: 'N', text: 'a map that waits N ms without its slots fails (default: no limit)' },
  '--output-format': { value: 'F', text: "table (default), json, or fio-json (fio's own JSON, per policy)" },
  '--runtime': { value: 'T', text: "fio jobs: replace every job's runtime (10, 500ms, 2m)" },
  '--strict': {
    text: 'every notice (an option with no effect, an assumption) is an error',
  },
  '--': { value: 'ARGS…', text: "fio's command line, in place of a job file (--name=a --rw=randread …)" },
}

/** The flags of one row of COMMAND_FLAGS, one line each, in the table's order. */
function flagLines(row: CommandName): string[] {
  return COMMAND_FLAGS[row].takes.map((flag: Flag) => {
    const { value, text } = FLAG_TEXT[flag as keyof typeof FLAG_TEXT]
    const left = value === undefined ? flag : `${flag} ${value}`
    return `  ${left.padEnd(18)}  ${typeof text === 'string' ? text : text(row)}`
  })
}

export function isHelpCommand(name: string): name is HelpCommand {
  return Object.hasOwn(COMMAND_HELP, name)
}

/** `dma-throttle <command> --help`: what the command does, how it is called, its flags and an example. */
export function commandHelp(command: HelpCommand): string {
  const h = COMMAND_HELP[command]
  const lines = [`dma-throttle ${command}: ${h.what}`, '', 'usage:']
  for (const u of h.usage) lines.push(`  dma-throttle ${u}`)
  for (const { row, heading } of h.tables) {
    lines.push('', heading === undefined ? 'flags:' : `flags, ${heading}:`, ...flagLines(row))
  }
  lines.push('', 'example:', `  dma-throttle ${h.example}`, '', 'docs: docs/simulation.md', '')
  return lines.join('\n')
}

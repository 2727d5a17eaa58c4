import { parseArgs as parseTokens } from 'node:util'
import { CliUsageError } from './errors.js'
import { didYouMean } from './nearest.js'

export interface ParsedArgs {
  command: string
  positionals: string[]
  json: boolean
  help: boolean
  version: boolean
  seed: number | undefined
  report: string | undefined
  pool: string | undefined
  policies: string[] | undefined
  /** Flags of size, sweep, hiwater and merge, as given; src/cli/run-flags.ts reads them. */
  jobs: string | undefined
  seeds: string | undefined
  shard: string | undefined
  minThroughput: string | undefined
  pools: string | undefined
  areas: string | undefined
  intervals: string | undefined
  /** simulate: write the first policy's maps and unmaps to this file (docs/trace-format.md). */
  traceOut: string | undefined
  /** replay: hold time of maps-only traces (ftrace), ms. */
  holdMs: number | undefined
  /** replay: a blkparse file whose I/Os give maps-only traces their hold times. */
  holdFrom: string | undefined
  /** replay: the maps that may wait when the trace cannot say: 'all', 'none' or device names. */
  mayBlock: string[] | undefined
  /** size on a trace: a healthy run also keeps every map's wait within this many ms. */
  maxWaitMs: number | undefined
  /** fio job files and JSON specs: every notice is an error. */
  strict: boolean
  /** fio job files: replaces every job's runtime (fio's time syntax). */
  runtime: string | undefined
  /** simulate: `table` (default), `json` or `fio-json`. */
  outputFormat: string | undefined
  /** Arguments after `--`: fio's command line (`--name=a --rw=randread …`). */
  fioArgs: string[]
  /** The flags given, in order, as `--name` (`--` for fio's arguments): what command-flags.ts checks. */
  given: Flag[]
}

/** Every flag the CLI knows; `node:util` parseArgs splits the command line by this table. */
const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  seed: { type: 'string' },
  report: { type: 'string' },
  pool: { type: 'string' },
  policies: { type: 'string' },
  jobs: { type: 'string' },
  seeds: { type: 'string' },
  shard: { type: 'string' },
  'min-throughput': { type: 'string' },
  pools: { type: 'string' },
  areas: { type: 'string' },
  intervals: { type: 'string' },
  'trace-out': { type: 'string' },
  'hold-ms': { type: 'string' },
  'hold-from': { type: 'string' },
  'may-block': { type: 'string' },
  'max-wait-ms': { type: 'string' },
  strict: { type: 'boolean' },
  runtime: { type: 'string' },
  'output-format': { type: 'string' },
} as const

type OptionName = keyof typeof OPTIONS

/** A flag as typed, `--seed`; `--` stands for fio's arguments after it. */
export type Flag = `--${OptionName}` | '--'

/**
 * Parses `dma-throttle <command> [args] [flags]`. Flags may come anywhere; `--flag=value` works too;
 * after `--` everything is an argument. The platform's parser runs non-strict, with tokens, so that
 * the first bad flag is reported here in our own one-line form (its strict errors are paragraphs).
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = {
    command: '',
    positionals: [],
    json: false,
    help: false,
    version: false,
    seed: undefined,
    report: undefined,
    pool: undefined,
    policies: undefined,
    jobs: undefined,
    seeds: undefined,
    shard: undefined,
    minThroughput: undefined,
    pools: undefined,
    areas: undefined,
    intervals: undefined,
    traceOut: undefined,
    holdMs: undefined,
    holdFrom: undefined,
    mayBlock: undefined,
    maxWaitMs: undefined,
    strict: false,
    runtime: undefined,
    outputFormat: undefined,
    fioArgs: [],
    given: [],
  }
  const { tokens } = parseTokens({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (out.command === '') out.command = token.value
      else out.positionals.push(token.value)
      continue
    }
    if (token.kind === 'option-terminator') {
      // After `--`: fio's own command line, passed through as written.
      out.fioArgs = argv.slice(token.index + 1)
      if (out.fioArgs.length > 0) out.given.push('--')
      break
    }
    if (!Object.hasOwn(OPTIONS, token.name)) throw unknownOption(token.rawName)
    const name = token.name as OptionName
    const flag = `--${name}` as const
    // A value given twice is refused, not overwritten (nothing ignored silently); a switch twice is a switch.
    if (OPTIONS[name].type === 'string' && out.given.includes(flag)) {
      throw new CliUsageError(`${flag} given twice: give it once`)
    }
    out.given.push(flag)
    if (OPTIONS[name].type === 'boolean') {
      if (token.value !== undefined) throw new CliUsageError(`${flag} takes no value`)
      setFlag(out, name)
      continue
    }
    // A separate argument that is itself a long flag means the value was forgotten: `--report --json`.
    const missing =
      token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('--'))
    if (missing) throw new CliUsageError(`${flag} needs a value`)
    setValue(out, name, token.value!)
  }
  return out
}

/** `unknown option "--sed" (did you mean --seed?)`; a name like no option gets `(try --help)`. */
function unknownOption(raw: string): CliUsageError {
  const near = raw.startsWith('--')
    ? didYouMean(
        raw.replace(/=.*$/, ''),
        Object.keys(OPTIONS).map((o) => `--${o}`),
      )
    : undefined
  return new CliUsageError(`unknown option ${JSON.stringify(raw)} (${near ?? 'try --help'})`)
}

function setFlag(out: ParsedArgs, name: OptionName): void {
  if (name === 'json') out.json = true
  else if (name === 'help') out.help = true
  else if (name === 'version') out.version = true
  else if (name === 'strict') out.strict = true
}

function setValue(out: ParsedArgs, name: OptionName, value: string): void {
  switch (name) {
    case 'seed': {
      const seed = /^\d+$/.test(value) ? Number(value) : Number.NaN
      if (!Number.isSafeInteger(seed) || seed > 0xffffffff) {
        throw new CliUsageError(
          `--seed expects a whole number from 0 to 4294967295, got ${JSON.stringify(value)}`,
        )
      }
      out.seed = seed
      break
    }
    case 'report':
      out.report = value
      break
    case 'pool':
      out.pool = value
      break
    case 'policies':
      out.policies = value.split(',').map((p) => p.trim())
      break
    case 'min-throughput':
      out.minThroughput = value
      break
    case 'jobs':
    case 'seeds':
    case 'shard':
    case 'pools':
    case 'areas':
    case 'intervals':
      out[name] = value
      break
    case 'trace-out':
      out.traceOut = value
      break
    case 'hold-ms':
    case 'max-wait-ms': {
      const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN
      if (!(ms >= 0) || !Number.isFinite(ms)) {
        throw new CliUsageError(`--${name} expects a number of ms >= 0, got ${JSON.stringify(value)}`)
      }
      if (name === 'hold-ms') out.holdMs = ms
      else out.maxWaitMs = ms
      break
    }
    case 'hold-from':
      out.holdFrom = value
      break
    case 'may-block':
      out.mayBlock = value.split(',').map((d) => d.trim())
      break
    case 'runtime':
      out.runtime = value
      break
    case 'output-format':
      out.outputFormat = value
      break
  }
}

import { CliUsageError } from './errors.js'

export interface ParsedArgs {
  command: string
  positionals: string[]
  json: boolean
  help: boolean
  seed: number | undefined
  report: string | undefined
  pool: string | undefined
  policies: string[] | undefined
  /** fio job files: every notice is an error. */
  strict: boolean
  /** fio job files: replaces every job's runtime (fio's time syntax). */
  runtime: string | undefined
  /** simulate: `table` (default), `json` or `fio-json`. */
  outputFormat: string | undefined
  /** Arguments after `--`: fio's command line (`--name=a --rw=randread …`). */
  fioArgs: string[]
}

const VALUE_FLAGS = ['--seed', '--report', '--pool', '--policies', '--runtime', '--output-format'] as const

/** Parses `dma-throttle <command> [args] [flags]`. Flags may come anywhere; `--flag=value` works too. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = {
    command: '',
    positionals: [],
    json: false,
    help: false,
    seed: undefined,
    report: undefined,
    pool: undefined,
    policies: undefined,
    strict: false,
    runtime: undefined,
    outputFormat: undefined,
    fioArgs: [],
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      out.fioArgs = argv.slice(i + 1)
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (out.command === '') out.command = arg
      else out.positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const flag = eq < 0 ? arg : arg.slice(0, eq)
    if (flag === '--json') out.json = true
    else if (flag === '--strict') out.strict = true
    else if (flag === '--help' || flag === '-h') out.help = true
    else if ((VALUE_FLAGS as readonly string[]).includes(flag)) {
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1)
      if (value === undefined || value === '') throw new CliUsageError(`${flag} needs a value`)
      setValue(out, flag as (typeof VALUE_FLAGS)[number], value)
    } else throw new CliUsageError(`unknown option ${JSON.stringify(flag)} (try --help)`)
  }
  return out
}

function setValue(out: ParsedArgs, flag: (typeof VALUE_FLAGS)[number], value: string): void {
  switch (flag) {
    case '--seed': {
      const seed = /^\d+$/.test(value) ? Number(value) : Number.NaN
      if (!Number.isSafeInteger(seed) || seed > 0xffffffff) {
        throw new CliUsageError(
          `--seed expects a whole number from 0 to 4294967295, got ${JSON.stringify(value)}`,
        )
      }
      out.seed = seed
      break
    }
    case '--report':
      out.report = value
      break
    case '--pool':
      out.pool = value
      break
    case '--policies':
      out.policies = value.split(',').map((p) => p.trim())
      break
    case '--runtime':
      out.runtime = value
      break
    case '--output-format':
      out.outputFormat = value
      break
  }
}

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
}

const VALUE_FLAGS = ['--seed', '--report', '--pool', '--policies'] as const

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
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('-') || arg === '-') {
      if (out.command === '') out.command = arg
      else out.positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const flag = eq < 0 ? arg : arg.slice(0, eq)
    if (flag === '--json') out.json = true
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
  }
}

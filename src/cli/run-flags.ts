import { defaultJobs, parsePool, type SimSpec } from '../sim/index.js'
import type { ParsedArgs } from './args.js'
import { CliUsageError } from './errors.js'
import { checkPoolFlag } from './pool-limit.js'

/** --jobs N: runs at once (worker threads); default every core. */
export function jobsFlag(args: ParsedArgs): number {
  if (args.jobs === undefined) return defaultJobs()
  return whole('--jobs', args.jobs, 1, 1024)
}

/** --seeds N: seeds per point of the grid (K), from --seed on. */
export function seedsFlag(args: ParsedArgs, fallback: number): { first: number; count: number } {
  const count = args.seeds === undefined ? fallback : whole('--seeds', args.seeds, 1, 100_000)
  return { first: args.seed ?? 1, count }
}

/** --min-throughput PCT: a percentage in (0, 100]. */
export function minThroughputFlag(args: ParsedArgs): number | undefined {
  const value = args.minThroughput
  if (value === undefined) return undefined
  const pct = /^\d+(\.\d+)?%?$/.test(value) ? Number.parseFloat(value) : Number.NaN
  if (!(pct > 0 && pct <= 100)) {
    throw new CliUsageError(
      `--min-throughput expects a percentage in (0, 100], e.g. 90, got ${JSON.stringify(value)}`,
    )
  }
  return pct
}

/** --pools 8M,16M,…: sizes, each rounded up to whole segments like --pool; sorted, no repeats. */
export function poolsFlag(args: ParsedArgs, spec: SimSpec | undefined): number[] {
  if (args.pools === undefined) return []
  const sizes = args.pools.split(',').map((text) => {
    const value = text.trim()
    let size: number
    try {
      size = parsePool({ size: value }, spec?.cpus ?? 1).size
    } catch (error) {
      throw new CliUsageError(`--pools: ${error instanceof Error ? error.message : String(error)}`)
    }
    checkPoolFlag(value, size)
    return size
  })
  return [...new Set(sizes)].sort((a, b) => a - b)
}

/** --areas 1,4,16: powers of two. */
export function areasFlag(args: ParsedArgs): number[] | undefined {
  if (args.areas === undefined) return undefined
  return args.areas.split(',').map((text) => {
    const n = whole('--areas', text.trim(), 1, 65_536)
    if ((n & (n - 1)) !== 0)
      throw new CliUsageError(`--areas expects powers of two, got ${JSON.stringify(text)}`)
    return n
  })
}

/** --intervals 0.1,1,10: sampling intervals, ms. */
export function intervalsFlag(args: ParsedArgs): number[] | undefined {
  if (args.intervals === undefined) return undefined
  return args.intervals.split(',').map((text) => {
    const ms = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN
    if (!(ms >= 0.01 && ms <= 60_000)) {
      throw new CliUsageError(
        `--intervals expects milliseconds from 0.01 to 60000, got ${JSON.stringify(text)}`,
      )
    }
    return ms
  })
}

function whole(flag: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) {
    throw new CliUsageError(
      `${flag} expects a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    )
  }
  return n
}

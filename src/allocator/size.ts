import { ArgumentRangeError, ArgumentTypeError } from '../errors.js'

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }

/**
 * Parses a byte count: a non-negative safe integer, or a string with an optional binary suffix
 * ('64M', '1G', '512K', '1.5G', '4096', '64MiB').
 */
export function parseBytes(what: string, value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ArgumentRangeError(what, 'a whole number of bytes >= 0', value)
    }
    return value
  }
  if (typeof value !== 'string')
    throw new ArgumentTypeError(what, "a byte count or a string like '64M'", value)
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(value)
  if (!m) throw new ArgumentRangeError(what, "a size like '512K', '64M' or '1G'", value)
  const bytes = Number(m[1]) * (UNITS[m[2]!.toUpperCase()] ?? 1)
  if (!Number.isSafeInteger(bytes)) throw new ArgumentRangeError(what, 'a whole number of bytes', value)
  return bytes
}

/** Formats bytes with a binary suffix, exact when possible: 67108864 → '64 MiB'. */
export function formatBytes(bytes: number): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0)
    throw new ArgumentRangeError('bytes', 'a finite number of bytes >= 0', bytes)
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (bytes >= size) {
      const v = bytes / size
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`
    }
  }
  return `${bytes} B`
}

import { parseBytes } from '../../index.js'
import { SpecError } from '../errors.js'

/** Raw input as it comes from JSON or a job file. */
export type Raw = Record<string, unknown>

export function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Rejects keys that are not in `allowed`, by name. */
export function checkKeys(field: string, raw: Raw, allowed: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw new SpecError(`${field}.${key}`, `one of ${allowed.join(', ')}`, key)
  }
}

/** A byte count: a whole number, or a size with a binary suffix ('4k', '128K', '1m', '64M', '2GiB'). */
export function bytes(field: string, value: unknown, min = 1): number {
  let n: number
  try {
    n = parseBytes(field, typeof value === 'string' ? value.trim() : value)
  } catch {
    throw new SpecError(field, "a size like 4096, '4k', '128k' or '64M'", value)
  }
  if (n < min) throw new SpecError(field, `a size of at least ${min} bytes`, value)
  return n
}

/** A whole number in [min, max]; job files give numbers as strings. */
export function int(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new SpecError(
      field,
      `a whole number in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}]`,
      value,
    )
  }
  return n
}

/** A finite number in [min, max]. */
export function num(field: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): number {
  const n = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) {
    throw new SpecError(field, `a number in [${min}, ${max === Number.POSITIVE_INFINITY ? '∞' : max}]`, value)
  }
  return n
}

export function bool(field: string, value: unknown): boolean {
  if (value === true || value === 'true' || value === '1' || value === 1) return true
  if (value === false || value === 'false' || value === '0' || value === 0) return false
  throw new SpecError(field, 'a boolean', value)
}

export function str(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new SpecError(field, 'a non-empty string', value)
  return value
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * A duration as fio writes it: a plain number is seconds; a suffix says otherwise ('500ms', '2s', '1m').
 * Returns milliseconds.
 */
export function fioTime(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)?\s*$/i.exec(value)
    if (m) return Number(m[1]) * TIME_UNITS[(m[2] ?? 's').toLowerCase()]!
  }
  throw new SpecError(field, "a duration like 2 (seconds), '500ms' or '2s'", value)
}

/** A CPU list as fio's cpus_allowed: '0-3,8,10-11'. */
export function cpuList(field: string, value: unknown, cpus: number): number[] {
  const text = typeof value === 'number' ? String(value) : value
  if (typeof text !== 'string' || !/^\s*\d+(-\d+)?(\s*,\s*\d+(-\d+)?)*\s*$/.test(text)) {
    throw new SpecError(field, "a CPU list like '0-3,8'", value)
  }
  const list: number[] = []
  for (const part of text.split(',')) {
    const [lo, hi = lo] = part.trim().split('-').map(Number) as [number, number?]
    if (hi! < lo || hi! >= cpus) throw new SpecError(field, `CPUs within 0-${cpus - 1}`, value)
    for (let c = lo; c <= hi!; c++) if (!list.includes(c)) list.push(c)
  }
  return list
}

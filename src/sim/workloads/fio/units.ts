import { evaluate } from './arithmetic.js'
import { FioValueError } from './problems.js'
import { perDirection, singleValue } from './value-lists.js'

/**
 * Numbers as fio reads them (fio's parse.c: str_to_decimal, get_mult_bytes, get_mult_time; HOWTO
 * "Parameter types"). Sizes: a whole number (decimal or 0x hex) with an optional suffix; with
 * kb_base=1024 (fio's default) k/m/g/t/p are powers of 1024 and the IEC forms kib/mib/… are powers of
 * 1000 (fio's compatibility mode, HOWTO "int"); kb_base=1000 swaps them. 'b' means bytes. A value
 * starting with '(' is an arithmetic expression.
 *
 * Where fio would quietly read something else than the text says ('1.5m' is 1 byte to fio, '10sec' is
 * 10 µs), the value is refused with that reason instead.
 */
export type KbBase = 1000 | 1024

/** A size in bytes, a percentage of the file or device (`size=20%`), or zones (`size=8z`, zonemode=zbd). */
export type FioSize = { bytes: number } | { percent: number } | { zones: number }

const PREFIXES = ['k', 'm', 'g', 't', 'p'] as const
/** What a size option expects, as its errors say. */
const SIZE = 'a size like 4k, 128KiB or 1g'

/**
 * The multiplier of a size suffix (lower case, cut at fio's separators), or undefined if not one.
 * `Ki`, `Mi`, … (the Kubernetes spelling) fio reads by their first letter, as `k`, `m`, …: powers of
 * kb_base, so powers of 1024 by default, which is what they say (unlike `KiB`, a power of 1000 then).
 * With kb_base=1000 fio would read `4Ki` as 4000 bytes: refused, `expected` naming the value sought.
 */
function sizeMultiplier(suffix: string, kbBase: KbBase, expected: string): number | undefined {
  if (suffix === '' || suffix === 'b') return 1
  const iec = /^([kmgtp])ib$/.exec(suffix)
  const si = /^([kmgtp])(b|i)?$/.exec(suffix)
  const letter = iec?.[1] ?? si?.[1]
  if (letter === undefined) return undefined
  const power = PREFIXES.indexOf(letter as (typeof PREFIXES)[number]) + 1
  if (si?.[2] === 'i' && kbBase === 1000) {
    throw new FioValueError(
      expected,
      `with kb_base=1000 fio reads "${suffix}" by its first letter, as ${letter}: a power of 1000, not of 1024 (write ${letter}ib)`,
    )
  }
  const base = iec === null ? kbBase : kbBase === 1024 ? 1000 : 1024
  return base ** power
}

/** A size: '4k', '128KiB', '0x1000', '1g', '20%', '(4k*2)'. */
export function parseSize(text: string, kbBase: KbBase, allowPercent = false): FioSize {
  const value = text.trim()
  if (value === '') throw new FioValueError(SIZE, 'empty: an unset environment variable?')
  if (value.startsWith('(')) return { bytes: whole(evaluate(value, false)) }
  const hex = /^0x([0-9a-f]+)$/i.exec(value)
  if (hex) return { bytes: whole(Number.parseInt(hex[1]!, 16)) }
  const m = /^(\d+)([a-z%]*)$/i.exec(value)
  if (m === null) {
    const lead = /^[+-]?\d+/.exec(value)?.[0]
    if (lead !== undefined && /^\d+[.,]\d/.test(value)) {
      throw new FioValueError(
        'a whole number of bytes like 4k, 128KiB or 1g',
        `fio reads whole numbers only and would take ${lead}`,
      )
    }
    // parse.c __get_mult_bytes cuts the suffix at a separator: fio reads the size before it, silently.
    const cut = /^(\d+[a-z]*)([-:,/].*)$/i.exec(value)
    if (cut !== null) {
      const split = cut[2]!.startsWith('/') ? '; a split of sizes is bssplit=4k/50:64k/50' : ''
      throw new FioValueError(SIZE, `fio would read ${cut[1]} and ignore "${cut[2]}"${split}`)
    }
    throw new FioValueError(SIZE)
  }
  const n = Number(m[1])
  const suffix = m[2]!.toLowerCase()
  if (suffix === '%') {
    if (!allowPercent) throw new FioValueError(SIZE, 'no percentage here')
    if (n < 1 || n > 100) throw new FioValueError('a percentage from 1% to 100%')
    return { percent: n }
  }
  if (suffix === 'z') {
    if (!allowPercent) throw new FioValueError(SIZE, 'no zones here')
    return { zones: n }
  }
  const mult = sizeMultiplier(suffix, kbBase, SIZE)
  if (mult === undefined) throw new FioValueError(SIZE, `unknown suffix "${m[2]}"`)
  return { bytes: whole(n * mult) }
}

/** A size that must be bytes (no percentage). */
export function parseBytes(text: string, kbBase: KbBase): number {
  const size = parseSize(text, kbBase)
  if (!('bytes' in size)) throw new FioValueError(SIZE, 'no percentage or zones here')
  return size.bytes
}

const TIME_SUFFIX: ReadonlyArray<[RegExp, number]> = [
  [/^(us|usec)$/, 1],
  [/^(ms|msec)$/, 1000],
  [/^s$/, 1e6],
  [/^m$/, 60e6],
  [/^h$/, 3600e6],
  [/^d$/, 86400e6],
]

/**
 * A time in microseconds. Without a suffix the number is seconds (`defaultSeconds`, e.g. runtime) or
 * microseconds (thinktime). Suffixes: us/usec, ms/msec, s, m, h, d, in any case.
 */
export function parseTimeUs(text: string, defaultSeconds: boolean): number {
  const value = singleValue(text, 'a time like 10, 200ms or 1h').trim()
  if (value === '')
    throw new FioValueError('a time like 10, 200ms or 1h', 'empty: an unset environment variable?')
  if (value.startsWith('(')) {
    // parse.c:364-372 (str_to_decimal): an option counted in seconds keeps whole seconds of the
    // expression's µs ((1500ms) is 1 s, (500ms) is 0); others keep the µs.
    const us = evaluate(value, true, defaultSeconds ? 1e6 : 1)
    return whole(defaultSeconds ? Math.trunc(us / 1e6) * 1e6 : us)
  }
  const m = /^(\d+)([a-z]*)$/i.exec(value)
  if (m === null) {
    if (/^\d+\.\d/.test(value)) {
      throw new FioValueError(
        'a whole time like 10, 200ms or 1h',
        'fio reads whole numbers only: write 500ms, not 0.5s',
      )
    }
    throw new FioValueError('a time like 10, 200ms or 1h')
  }
  const n = Number(m[1])
  const suffix = m[2]!.toLowerCase()
  if (suffix === '') return whole(n * (defaultSeconds ? 1e6 : 1))
  for (const [pattern, mult] of TIME_SUFFIX) if (pattern.test(suffix)) return whole(n * mult)
  throw new FioValueError(
    'a time like 10, 200ms or 1h (units us, ms, s, m, h, d)',
    `fio would read the unknown unit "${m[2]}" as ${n} µs`,
  )
}

/**
 * A whole number in [min, max], as fio reads its integer options (FIO_OPT_INT, ULL, STR_VAL through
 * parse.c check_str_bytes): decimal or 0x hex, with a size suffix (`iodepth=1k` is 1024, or 1000 with
 * kb_base=1000), or an expression. One value only (see singleValue).
 */
export function parseInteger(
  text: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
  kbBase: KbBase = 1024,
): number {
  const expected = `a whole number from ${min} to ${max}`
  const value = singleValue(text, expected).trim()
  let n: number
  if (value.startsWith('('))
    n = evaluate(value, false) // fio reads a whole number as a size
  else {
    const m = /^(-?)(0x[0-9a-f]+|\d+)([a-z]*)$/i.exec(value)
    if (m === null) throw new FioValueError(expected)
    const hex = /^0x/i.test(m[2]!)
    const mult = hex ? (m[3] === '' ? 1 : undefined) : sizeMultiplier(m[3]!.toLowerCase(), kbBase, expected)
    if (mult === undefined) throw new FioValueError(expected, `unknown suffix "${m[3]}"`)
    n = (m[1] === '-' ? -1 : 1) * Number.parseInt(m[2]!, hex ? 16 : 10) * mult
  }
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new FioValueError(expected)
  return n
}

/** A per-direction list of whole numbers in [0, max] (null where the default applies). */
export function perDirectionIntegers(
  text: string,
  max: number,
  kbBase: KbBase,
): { read: number | null; write: number | null; trim: number | null } {
  const [read, write, trim] = perDirection(text).map((t) =>
    t === undefined ? null : parseInteger(t, 0, max, kbBase),
  )
  return { read: read ?? null, write: write ?? null, trim: trim ?? null }
}

/**
 * fio's bool (FIO_OPT_BOOL: 0 or 1) and set options (FIO_OPT_STR_SET, `bareAllowed`: a bare name is 1,
 * and any whole number is taken, nonzero meaning set, as parse.c check_int reads it).
 */
export function parseBool(text: string | undefined, bareAllowed: boolean): boolean {
  if (text === undefined) {
    if (bareAllowed) return true
    throw new FioValueError('0 or 1', 'a bare option name')
  }
  if (bareAllowed && /^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(text)) return Number(text.trim()) !== 0
  const n = parseInteger(text, 0, 1)
  return n === 1
}

function whole(n: number): number {
  if (!Number.isFinite(n) || n < 0) throw new FioValueError('a value of at least 0')
  if (!Number.isSafeInteger(Math.floor(n))) throw new FioValueError('a value below 2^53')
  return Math.floor(n)
}

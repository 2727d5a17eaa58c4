import { evaluate } from './arithmetic.js'
import { FioValueError } from './problems.js'
import type { KbBase } from './units.js'

/**
 * Numbers as fio's parse.c reads them, to the bit, for the options whose value changes nothing here
 * (no-effect-values.ts): what fio accepts, what it refuses, and the 64-bit value it compares with an
 * option's minval and maxval. fio reads through C's strtoll and sscanf, which stop at the first
 * character they cannot use, so `fsync=1.5` or `latency_target=10sec` pass (fio reads 1 and 10 µs);
 * only a value without a leading number is refused. Values wrap as C's do (`-5` is 2^64-5).
 */
const U64 = 1n << 64n
const LLONG_MAX = (1n << 63n) - 1n
const SPACE = /^[ \t\n\v\f\r]*/

/** The leading whole number C's strtoll reads (base 16 where the text has a "0x" anywhere, as fio
 * picks the base), or undefined where it reads none or overflows upwards (parse.c str_to_decimal). */
function strtoll(text: string): bigint | undefined {
  const hex = /0x/i.test(text)
  const m = (hex ? /^([+-]?)(0x)?([0-9a-f]*)/i : /^([+-]?)()(\d*)/).exec(text.replace(SPACE, ''))!
  const digits = m[3]!
  if (digits === '' && !m[2]) return undefined
  let n = digits === '' ? 0n : BigInt(hex ? `0x${digits}` : digits)
  if (m[1] !== '-' && n > LLONG_MAX) return undefined // LONG_MAX with ERANGE: fio refuses it
  if (m[1] === '-') n = n > LLONG_MAX + 1n ? -(LLONG_MAX + 1n) : -n
  return BigInt.asUintN(64, n)
}

/** parse.c __get_mult_bytes: the multiplier of the letters after the number (1 for none known). */
function bytesMultiplier(text: string, kbBase: KbBase): bigint | 'percent' {
  const lead = text.length < 2 ? '' : (/^[+-]*\d*/.exec(text)?.[0] ?? '')
  const rest = text.slice(lead.length)
  if (text.length >= 2 && !/^[a-z%]/i.test(rest)) return 1n
  const c = (text.length < 2 ? text : rest).toLowerCase().split(/[-:,/]/)[0]!
  const powers = 'kmgtp'
  const iec = /^([kmgtp])ib/.exec(c)
  const letter = iec?.[1] ?? (/^[kmgtp]/.test(c) ? c[0]! : undefined)
  if (letter === undefined) return c.startsWith('%') ? 'percent' : 1n
  const base = iec === null ? kbBase : kbBase === 1024 ? 1000 : 1024
  return BigInt(base) ** BigInt(powers.indexOf(letter) + 1)
}

/** parse.c get_mult_time: us, ms, s, m, h, d; anything else counts 1 (fio reads `10sec` as 10 µs). */
function timeMultiplier(text: string, seconds: boolean): bigint {
  const rest = text.replace(/^[\d+-]*/, '')
  if (!/^[a-z]/i.test(rest)) return seconds ? 1_000_000n : 1n
  const c = rest.toLowerCase()
  if (c.startsWith('us')) return 1n
  if (c.startsWith('ms')) return 1000n
  const exact: Record<string, bigint> = { s: 1n, m: 60n, h: 3600n, d: 86400n }
  return Object.hasOwn(exact, c) ? exact[c]! * 1_000_000n : 1n
}

/**
 * One value of a numeric option (FIO_OPT_INT, ULL, STR_VAL, STR_VAL_TIME) as fio's str_to_decimal
 * reads it: the 64-bit result, or undefined where fio refuses it. `time`: a time in µs (`seconds`:
 * a bare number is seconds), else a size with kb_base's suffixes.
 */
export function cNumber(text: string, time: boolean, seconds: boolean, kbBase: KbBase): bigint | undefined {
  if (text === '') return undefined
  let n: bigint | undefined
  if (text.startsWith('(')) {
    try {
      const v = evaluate(text, time, seconds ? 1e6 : 1)
      n = BigInt(Math.trunc(time && seconds ? Math.trunc(v / 1e6) : v))
    } catch (error) {
      if (!(error instanceof FioValueError)) throw error
      return undefined // fio falls back to strtoll, which reads nothing from "("
    }
  } else n = strtoll(text)
  if (n === undefined) return undefined
  if (time) return BigInt.asUintN(64, n * timeMultiplier(text, seconds))
  const mult = bytesMultiplier(text, kbBase)
  return BigInt.asUintN(64, mult === 'percent' ? -1n - n : n * mult)
}

/** C's `(int) x` of a 64-bit value. */
export function asInt(n: bigint): number {
  return Number(BigInt.asIntN(32, n))
}

/** What C's sscanf("%u") or, where the text has a "0x", sscanf("%x") puts in an int (parse.c
 * check_int, for FIO_OPT_BOOL and FIO_OPT_STR_SET), or undefined where it reads no number. */
export function cScanInt(text: string): number | undefined {
  if (text === '') return undefined
  const hex = /0x/i.test(text)
  const m = (hex ? /^([+-]?)(0x)?([0-9a-f]*)/i : /^([+-]?)()(\d*)/).exec(text.replace(SPACE, ''))!
  if (m[3] === '' && !m[2]) return undefined
  const n = m[3] === '' ? 0n : BigInt(hex ? `0x${m[3]}` : m[3]!)
  if (n >= U64) return -1 // strtoul saturates at ULONG_MAX, sign or not
  return asInt(m[1] === '-' ? -n : n)
}

/** C's sscanf("%lf") (or an expression), as parse.c str_to_float reads a float list's item. */
export function cFloat(text: string): number | undefined {
  if (text.startsWith('(')) {
    try {
      return evaluate(text, false)
    } catch (error) {
      if (!(error instanceof FioValueError)) throw error
    }
  }
  const t = text.replace(SPACE, '')
  if (/^[+-]?0x(?![0-9a-f]|\.[0-9a-f])/i.test(t)) return undefined // glibc reads no number from "0x"
  const hex = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?/i.exec(t)
  if (hex !== null && (hex[2] !== '' || (hex[3] ?? '') !== '')) {
    const frac = hex[3] ?? ''
    const mantissa = Number.parseInt(`${hex[2]}${frac}` || '0', 16) / 16 ** frac.length
    return (hex[1] === '-' ? -1 : 1) * mantissa * 2 ** Number(hex[4] ?? 0)
  }
  const m = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan)/i.exec(t)
  if (m === null) return undefined
  const s = m[0].toLowerCase().replace(/^([+-]?)inf(inity)?$/, '$1Infinity')
  return s.replace(/^[+-]/, '') === 'nan' ? Number.NaN : Number(s)
}

/**
 * C's strtol/strtoull of `text` in `base` (0: a "0x" prefix is hex, a leading 0 octal, as C picks
 * it): the value of the leading number it reads, sign applied (0 where it reads none), before any
 * clamping; callers clamp it as their C type does.
 */
export function cStrto(text: string, base: 0 | 10 | 16): bigint {
  const m = /^([+-]?)(.*)$/s.exec(text.replace(SPACE, ''))!
  const rest = m[2]!
  const prefixed = /^0x[0-9a-f]/i.test(rest)
  const radix = base === 16 || (base === 0 && prefixed) ? 16 : base === 0 && rest.startsWith('0') ? 8 : 10
  const body = radix === 16 && prefixed ? rest.slice(2) : rest
  const digits = { 16: /^[0-9a-f]*/i, 8: /^[0-7]*/, 10: /^\d*/ }[radix].exec(body)![0]
  if (digits === '') return 0n
  const n = BigInt(`${{ 16: '0x', 8: '0o', 10: '' }[radix]}${digits}`)
  return m[1] === '-' ? -n : n
}

/** C's strtol (a 64-bit long, clamped at its ends) of the leading number. */
export function cStrtol(text: string, base: 0 | 10 | 16): bigint {
  const n = cStrto(text, base)
  return n > LLONG_MAX ? LLONG_MAX : n < -LLONG_MAX - 1n ? -LLONG_MAX - 1n : n
}

/** C's strtoull: ULLONG_MAX past it, a negative number wrapped. */
export function cStrtoull(text: string, base: 0 | 10 | 16): bigint {
  const n = cStrto(text, base)
  return n >= U64 || n <= -U64 ? U64 - 1n : BigInt.asUintN(64, n)
}

/** C's atoi: (int) strtol(text, NULL, 10). */
export function cAtoi(text: string): number {
  return asInt(cStrtol(text, 10))
}

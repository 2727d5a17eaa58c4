import { FioValueError } from './problems.js'

/**
 * The values in one numeric option (FIO_OPT_INT, ULL, STR_VAL, STR_VAL_TIME, BOOL, STR_SET), split as
 * fio's parse.c handle_option splits them: at a ','; in what has no ',' at a ':'; in what has neither at
 * a '-' that does not start it (a leading '-' is a sign). A ',' that ends the text ends the last value.
 * fio stores the values in order — reads, writes, trims for `bs`, `rate`, `rate_iops`; the low and high
 * end for `filesize`, `startdelay`; the first only for the others — and ignores the rest.
 *
 * A value starting with '(' is an expression fio computes to its first ',' or ':' — while the split
 * goes on inside it, at a '-', and reads what follows as further values: `bs=(16k-4k*2)` is 8 KiB
 * reads and 4 KiB writes to fio. Such a value is refused where fio would store those extra values.
 */
export function splitValues(text: string, slots: number): string[] {
  const t = text.trim()
  const values: string[] = []
  let start = 0
  let expressionEnd = -1
  for (;;) {
    const rest = t.slice(start)
    let cut = rest.indexOf(',')
    if (cut < 0) cut = rest.indexOf(':')
    if (cut < 0) cut = rest.indexOf('-', 1)
    const end = cut < 0 ? t.length : start + cut
    if (start < expressionEnd) {
      // fio reads the text after a '-' of an expression as one more value.
      if (values.length < slots) {
        throw new FioValueError(
          'an expression without "-" here, or one value per direction',
          `fio splits ${t} at the "-" and reads ${t.slice(start, end)} as a further value`,
        )
      }
    } else if (rest.startsWith('(')) {
      const stop = /[,:]/.exec(rest)?.index
      expressionEnd = stop === undefined ? t.length : start + stop
      values.push(t.slice(start, expressionEnd))
    } else values.push(t.slice(start, end))
    if (cut < 0) return values
    start = end + 1
  }
}

/**
 * The one value of an option fio stores once (off1 only): a second value is refused with fio's
 * reading, since fio keeps the first and ignores the rest (`iodepth=4:8` is 4).
 */
export function singleValue(text: string, expected: string): string {
  const values = splitValues(text, 1)
  if (values.length > 1) {
    throw new FioValueError(
      expected,
      `fio splits it at "," ":" or "-" into values and keeps only the first, ${values[0]}`,
    )
  }
  return values[0]!
}

/**
 * fio's per-direction lists (HOWTO `blocksize`; `bs`, `rate`, `rate_iops`): 'a' applies to reads,
 * writes and trims; 'a,b' gives reads a and writes and trims b; 'a,b,' leaves trims at the default; an
 * empty value keeps the default. ':' and '-' separate them as ',' does (`bs=4k:8k` is 4 KiB reads and
 * 8 KiB writes — not a range). `commasOnly` for `bsrange` and `bssplit`, whose ranges and lists use
 * ':' and '-' themselves (FIO_OPT_RANGE, and options.c str_split_parse). Returns [read, write, trim],
 * undefined where the default applies.
 */
export function perDirection(
  text: string,
  commasOnly = false,
): [string | undefined, string | undefined, string | undefined] {
  const parts = (commasOnly ? text.split(',') : splitValues(text, 3)).map((p) => p.trim())
  if (parts.length > 3) throw new FioValueError('at most 3 values: read,write,trim')
  const at = (i: number): string | undefined => {
    const p = parts[i]
    return p === undefined || p === '' ? undefined : p
  }
  if (parts.length === 1) return [at(0), at(0), at(0)]
  if (parts.length === 2) return [at(0), at(1), at(1)]
  return [at(0), at(1), at(2)]
}

/**
 * A low and a high end (`filesize`, `startdelay`: fio's off1 and off2): one value is both; 'lo-hi',
 * 'lo:hi' and 'lo,hi' are the two ends.
 */
export function lowHigh(text: string, expected: string): [string, string] {
  const parts = splitValues(text, 2).map((p) => p.trim())
  if (parts.length > 2 || parts.includes('')) throw new FioValueError(expected)
  return [parts[0]!, parts[1] ?? parts[0]!]
}

/**
 * `bsrange` (FIO_OPT_RANGE): each direction's range 'lo-hi' or 'lo:hi' (the first '-', else the first
 * ':'), swapped when reversed as fio does. fio rejects a range without a separator (`bsrange=4k`).
 */
export function splitRange(text: string): [string, string] {
  const t = text.trim()
  let cut = t.indexOf('-')
  if (cut < 0) cut = t.indexOf(':')
  if (cut < 0) throw new FioValueError('a range like 4k-16k', 'fio rejects a single value')
  return [t.slice(0, cut).trim(), t.slice(cut + 1).trim()]
}

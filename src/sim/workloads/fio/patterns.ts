import { FioValueError } from './problems.js'

/**
 * buffer_pattern and verify_pattern (options.c str_buffer_pattern_cb, str_verify_pattern_cb), read
 * as fio's lib/pattern.c parse_and_fill_pattern reads them: pieces one after the other, with nothing
 * between them, each
 * - `"text"`: the bytes up to the next '"' (no escape; an empty one fails fio's assert and aborts it),
 * - `'file'`: a file's bytes (not opened here: the simulated machine has no files; fio refuses a file
 *   it cannot open and aborts on an empty one),
 * - `%o`: the block's offset, 8 bytes, in verify_pattern only, at most 8 of them (verify_fmt's size),
 * - `0x` and hex digits: bytes of any length (fio's sscanf "0%*[xX]%*[0-9a-fA-F]" takes a run of x's;
 *   a '0' followed by another `0x` belongs to it, and a piece left with no digit aborts fio),
 * - else a decimal number from INT_MIN to INT_MAX (strtol, blanks before it skipped), 1 to 4 bytes;
 *   where a `0x` comes later in the value, strtol reads only the text before it (strntol), and nothing
 *   when that text is 24 characters or more.
 * The bytes may come to at most 128 MiB (MAX_PATTERN_SIZE). There is no repeat count (`*N`).
 */

const MAX_PATTERN_SIZE = 128 * 2 ** 20
const INT_MAX = 2 ** 31 - 1
/** FIO_ARRAY_SIZE(td->o.verify_fmt) (thread_options.h). */
const MAX_FORMATS = 8

export function patternExpected(formats: boolean): string {
  return `a pattern of pieces like 0xdeadbeef, "text", 1234${formats ? ' or %o' : ''} written one after the other`
}

/**
 * Throws a FioValueError where fio refuses `value` as a pattern (or aborts on it); `formats`: %o is
 * allowed (verify_pattern).
 */
export function checkPattern(value: string, formats: boolean): void {
  const refuse = (why: string) => {
    throw new FioValueError(patternExpected(formats), why)
  }
  if (value === '') refuse('an empty pattern: fio refuses it')
  let at = 0
  let bytes = 0
  let formatsLeft = formats ? MAX_FORMATS : 0
  while (at < value.length) {
    const rest = value.slice(at)
    let read: [used: number, filled: number] | string
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const close = rest.indexOf(rest[0]!, 1)
      read = close < 0 ? `no closing ${rest[0]} in ${rest}` : [close + 1, close - 1]
      if (rest[0] === "'" && close === 1) read = "'': no file name, which fio cannot open"
      else if (rest[0] === "'" && close > 1) read = [close + 1, 1] // the file's size is not known here
    } else if (rest.startsWith('%')) {
      if (!formats) read = `${rest}: buffer_pattern takes no format`
      else if (!rest.startsWith('%o')) read = `${rest}: the only format is %o`
      else if (formatsLeft-- <= 0) read = `more than ${MAX_FORMATS} %o`
      else read = [2, 8]
    } else read = readNumber(rest)
    if (typeof read === 'string') refuse(read)
    const [used, filled] = read as [number, number]
    if (filled === 0)
      refuse(`${rest.slice(0, used) || rest}: a piece of no bytes, on which fio aborts (assertion "filled")`)
    bytes += filled
    if (bytes > MAX_PATTERN_SIZE) refuse('more than 128 MiB of pattern')
    at += used
  }
}

/** parse_number: [characters read, bytes filled], or why fio refuses the piece. */
function readNumber(rest: string): [number, number] | string {
  const hex = /^0[xX]+[0-9a-fA-F]+/.exec(rest)
  if (hex !== null) {
    // num counts the digits after the first two characters; a last '0' before another "0x" is its.
    let num = hex[0].length - 2
    const digits = rest.slice(2)
    if (num < digits.length && /^0x/i.test(digits.slice(num - 1, num + 1))) num--
    return [2 + num, Math.ceil(num / 2)]
  }
  const later = rest.search(/0x/i)
  let text = rest
  if (later > 0) {
    // strntol: leading spaces skipped, then the text before the "0x", read only when under 24 chars.
    const lead = /^ */.exec(rest.slice(0, later))![0].length
    const size = later - lead
    if (size === 0 || size >= 24) return `${rest}: fio reads no number before the 0x`
    text = rest.slice(0, later)
  }
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text)
  // strntol points past the blanks it skipped where strtol then reads nothing: fio takes 0 there.
  const blanks = /^ */.exec(text)![0].length
  if (m === null && later > 0 && blanks > 0) return [blanks, 1]
  if (m === null) return `${rest}: not a number, a "string" or a 0x hex value`
  const n = BigInt(`${m[1]}${m[2]}`)
  if (n > BigInt(INT_MAX) || n < BigInt(-INT_MAX - 1)) return `${m[1]}${m[2]}: a number past INT_MIN..INT_MAX`
  let val = BigInt.asUintN(32, n)
  let filled = 0
  if (val === 0n) filled = 1
  for (; val !== 0n; val >>= 8n) filled++
  return [m[0].length, filled]
}

import { cAtoi, cFloat, cNumber } from './c-numbers.js'
import { stripEnd } from './no-effect-lists.js'
import { FioValueError } from './problems.js'
import type { KbBase } from './units.js'

/**
 * What follows the word's ':' in random_distribution, file_service_type and steadystate, as their
 * callbacks in fio's options.c read it (the word itself is checked against the option's values
 * first, as parse.c does). Each function throws a FioValueError where fio refuses the value.
 */

/** options.c get_opt_postfix: the text after the first ':', blanks and a ';' or '#' part cut; undefined without a ':'. */
function postfix(value: string): string | undefined {
  const colon = value.indexOf(':')
  if (colon < 0) return undefined
  return stripEnd(value.slice(colon + 1).trimStart())
}

const DISTRIBUTION = {
  zipf: ':θ[:center], θ not 1',
  pareto: ':h[:center], 0 < h < 1',
  normal: ':deviation[:center], 0 <= deviation < 100',
}

/**
 * zipf, pareto, normal (gauss): options.c split_parse_distr reads `value[:center]` with sscanf's
 * %lf (str_to_float); the center must be within 0..1 (-1 means none), zipf's θ is not 1, pareto's h is
 * inside (0, 1), normal's deviation in [0, 100). No ':' part keeps fio's default.
 */
function checkDistribution(kind: keyof typeof DISTRIBUTION, word: string, value: string, why: string): void {
  const nr = postfix(value)
  if (nr === undefined) return
  const colon = nr.indexOf(':')
  const center = colon < 0 ? -1 : cFloat(nr.slice(colon + 1))
  const v = cFloat(colon < 0 ? nr : nr.slice(0, colon))
  const refuse = (reason: string) => {
    throw new FioValueError(`${word}${DISTRIBUTION[kind]}`, reason)
  }
  if (center === undefined || v === undefined) refuse(`fio: "${why} postfix parsing failed"`)
  if (center !== -1 && (center! < 0 || center! > 1))
    refuse('fio: "distribution center out of range (0 <= center <= 1.0)"')
  if (kind === 'zipf' && v === 1) refuse('fio refuses a zipf theta of 1.0')
  if (kind === 'pareto' && (v! <= 0 || v! >= 1)) refuse('fio: "pareto input out of range (0 < input < 1.0)"')
  if (kind === 'normal' && (v! < 0 || v! >= 100))
    refuse('fio: "normal deviation out of range (0 <= input < 100.0)"')
}

/** random_distribution (options.c str_random_distribution_cb), by the word before the ':'. */
export function checkRandomDistribution(word: string, value: string, kbBase: KbBase): void {
  if (word === 'zipf' || word === 'pareto' || word === 'normal')
    checkDistribution(word, word, value, 'random')
  else if (word === 'zoned' || word === 'zoned_abs') checkZoned(value, word === 'zoned_abs', kbBase)
  else if (word === 'sequence') checkSequence(value)
}

/** file_service_type (options.c str_fst_cb): random, roundrobin and sequential take any `:N` (atoi). */
export function checkFileService(word: string, value: string): void {
  const kind = word === 'gauss' ? 'normal' : word
  if (kind === 'zipf' || kind === 'pareto' || kind === 'normal')
    checkDistribution(kind, word, value, 'file service type random')
}

const SEQUENCE = 'sequence:N,N,… (up to 64 whole numbers)'

/** options.c parse_sequence_distribution: up to 64 ','-separated items, each only digits. */
function checkSequence(value: string): void {
  const nr = postfix(value)
  if (nr === undefined) throw new FioValueError(SEQUENCE, 'fio: "missing pattern in sequence distribution"')
  const items = nr.split(',')
  if (items.length > 64)
    throw new FioValueError(SEQUENCE, `${items.length} items: fio supports up to 64 elements`)
  for (const item of items.map((i) => i.trim()))
    if (!/^\d+$/.test(item))
      throw new FioValueError(SEQUENCE, `fio: "invalid or negative element <${item}> in random_sequence"`)
}

const ZONED = 'zoned:access/size:… per direction, the access shares adding up to 100'
const ZONED_ABS = 'zoned_abs:access/size:… per direction, the access shares adding up to 100'

/**
 * zoned and zoned_abs (options.c parse_zoned_distribution, str_split_parse, zone_split_ddir,
 * split_parse_ddir): the value starts `zoned:` (or `zoned_abs:`); then reads, writes and trims split at
 * ',' as bssplit's are (one part serves all three; two parts give trims the writes'). Each part is a
 * ':'-list, up to an empty item and at most 256, of `access/size`: access as fio reads a size (a
 * uint8_t), size a percentage (atoi, 0 or none shares the rest) or, for zoned_abs, a size. The access
 * shares must come to exactly 100 and the size shares to no more.
 */
function checkZoned(value: string, absolute: boolean, kbBase: KbBase): void {
  const expected = absolute ? ZONED_ABS : ZONED
  const pre = absolute ? 'zoned_abs:' : 'zoned:'
  const text = postfixAll(value)
  if (!text.startsWith(pre)) throw new FioValueError(expected, `fio: "mismatch in zoned input <${text}>"`)
  const parts = text.slice(pre.length).split(',')
  const directions =
    parts.length === 1
      ? [parts[0]!]
      : [parts.length === 2 ? parts[1]! : parts.slice(2).join(','), parts[1]!, parts[0]!]
  for (const part of directions) checkZoneSplit(part, absolute, kbBase, expected)
}

/** parse_zoned_distribution strips blanks at both ends of the whole value first. */
function postfixAll(value: string): string {
  return stripEnd(value.trimStart())
}

function checkZoneSplit(part: string, absolute: boolean, kbBase: KbBase, expected: string): void {
  const decimal = (text: string) => {
    const n = cNumber(text, false, false, kbBase)
    if (n === undefined) throw new FioValueError(expected, `"${text}": fio "split conversion failed"`)
    return n
  }
  const MISSING = 255 // (uint8_t) -1U
  let access = 0
  let size = 0
  let entries = 0
  for (const entry of part.split(':')) {
    if (entry === '' || entries === 256) break
    entries++
    const slash = entry.indexOf('/')
    let share = MISSING
    if (slash >= 0 && absolute) decimal(entry.slice(slash + 1))
    else if (slash >= 0) {
      const p = cAtoi(entry.slice(slash + 1)) // an unsigned long long: a negative int is past 100
      share = p < 0 || p > 100 ? 100 : p === 0 ? MISSING : p
    }
    const a = Number(BigInt.asUintN(8, decimal(slash < 0 ? entry : entry.slice(0, slash))))
    if (a !== MISSING) access += a
    if (!absolute && share !== MISSING) size += share
  }
  if (entries === 0) return
  if (access > 100 || size > 100)
    throw new FioValueError(expected, 'fio: "zone_split percentages add to more than 100%"')
  if (access < 100)
    throw new FioValueError(
      expected,
      `fio: "access percentage don't add up to 100 for zoned random distribution (got=${access})"`,
    )
}

const STEADY = 'a criterion with its threshold, like iops:100, bw:10m, lat:5ms or iops_slope:2%'

/**
 * steadystate / ss (options.c str_steadystate_cb): a ':' part is required; with a '%' in it, the text
 * before it is a float (sscanf's %lf); else iops and iops_slope take a float, lat and lat_slope a time
 * (µs without a unit), bw and bw_slope a size, each as parse.c reads it.
 */
export function checkSteadyState(word: string, value: string, kbBase: KbBase): void {
  const nr = postfix(value)
  if (nr === undefined)
    throw new FioValueError(STEADY, 'fio: "steadystate threshold must be specified in addition to criterion"')
  const pct = nr.indexOf('%')
  const ok =
    pct >= 0 || word.startsWith('iops')
      ? cFloat(pct >= 0 ? nr.slice(0, pct) : nr) !== undefined
      : cNumber(nr, word.startsWith('lat'), false, kbBase) !== undefined
  if (!ok) {
    const what =
      pct >= 0 ? 'percentage' : word.startsWith('iops') ? 'IOPS' : word.startsWith('lat') ? 'latency' : 'BW'
    throw new FioValueError(STEADY, `fio cannot read the ${what} threshold "${nr}"`)
  }
}

import { asInt, cFloat, cNumber, cScanInt } from './c-numbers.js'
import { CPUS, checkCpuList, checkErrorList, checkPlacementIds, ERRORS, IDS } from './no-effect-lists.js'
import {
  checkCpuNodes,
  checkMemPolicy,
  checkWriteMode,
  MEM_POLICY,
  NODE_LIST,
  WRITE_MODE,
} from './no-effect-modes.js'
import { checkFileService, checkRandomDistribution, checkSteadyState } from './no-effect-postfix.js'
import { checkPattern, patternExpected } from './patterns.js'
import { FioValueError } from './problems.js'
import type { KbBase } from './units.js'

/**
 * The value type of an option with no effect, as fio's option tables declare it (options.c,
 * engines/*.c, profiles/*.c: `.type`, `.posval`, `.minval`, `.maxval`, `.pow2`), written after the
 * name in options-no-effect.ts as `name:code`:
 *
 * - `text`: FIO_OPT_STR_STORE, any non-empty string (parse.c refuses an empty one).
 * - `value`: a deprecated option: a value is required (fio refuses the bare name).
 * - `wmode`, `mpol`, `nodes`: io_uring's write_mode, numa_mem_policy, numa_cpu_nodes, read as their
 *   callbacks read them (no-effect-modes.ts); node lists are held to the simulated machine's one node.
 * - `pattern`: buffer_pattern's pattern (lib/pattern.c, patterns.ts); `pattern(%o)`: verify_pattern's,
 *   which may have the `%o` format.
 * - `ids`, `errors`, `cpus`: placement IDs, ignore_error's lists, a CPU list, each read as its callback
 *   in options.c reads it (no-effect-lists.ts); a CPU list is held to the simulated machine's CPUs.
 * - `distribution(a|b)`, `service(a|b)`, `steady(a|b)`: FIO_OPT_STR with its words, and what follows
 *   the ':' read as random_distribution's, file_service_type's or steadystate's callback reads it
 *   (no-effect-postfix.ts).
 * - `any`: anything or nothing (write_bw_log and friends: a bare name is fine).
 * - `bool`: FIO_OPT_BOOL; `set`: FIO_OPT_STR_SET (a bare name is 1).
 * - `int`, `size`, `time`, `zone`: FIO_OPT_INT; ULL and STR_VAL; STR_VAL_TIME; STR_VAL_ZONE (sizes
 *   or `Nz` zones). `(lo..hi)` is minval..maxval (either may be left out), `(pow2)` a power of 2.
 * - `float(lo..hi)`: a FIO_OPT_FLOAT_LIST of one number; `floats`: of up to 20.
 * - `word(a|b)`: FIO_OPT_STR, one of the words (fio compares what comes before the first ':' or ',');
 *   `words(a|b)`: FIO_OPT_STR_MULTI, ','-separated, one of them a word; `each(a|b)`: every
 *   ','-separated item one of the words.
 */
export interface ValueType {
  kind: (typeof KINDS)[number]
  min?: number
  max?: number
  pow2?: boolean
  words?: readonly string[]
}

const KINDS = [
  'text',
  'value',
  'any',
  'bool',
  'set',
  'int',
  'size',
  'time',
  'zone',
  'float',
  'floats',
  'word',
  'words',
  'each',
  'ids',
  'errors',
  'cpus',
  'distribution',
  'service',
  'steady',
  'wmode',
  'mpol',
  'nodes',
  'pattern',
] as const

const WORDS: ReadonlyArray<string> = ['word', 'words', 'each', 'distribution', 'service', 'steady', 'pattern']

/** What the value is checked against besides its text: kb_base where it is read, the machine's CPUs. */
export interface ValueContext {
  kbBase: KbBase
  cpus: number
}

/** A type code (`int(1..10)`, `word(none|zbd)`); throws on a code that is not one. */
export function parseValueType(code: string): ValueType {
  const m = /^([a-z]+)(?:\((.*)\))?$/.exec(code)
  const kind = KINDS.find((k) => k === m?.[1])
  if (m === null || kind === undefined) throw new Error(`unknown fio value type ${code}`)
  const args = m[2]
  if (args === undefined) return { kind }
  if (WORDS.includes(kind)) return { kind, words: args.split('|') }
  if (args === 'pow2') return { kind, pow2: true }
  const range = /^(-?[\d.]*)\.\.(-?[\d.]*)$/.exec(args)
  if (range === null) throw new Error(`unknown fio value type ${code}`)
  return {
    kind,
    ...(range[1] === '' ? {} : { min: Number(range[1]) }),
    ...(range[2] === '' ? {} : { max: Number(range[2]) }),
  }
}

/**
 * Throws a FioValueError where fio refuses `value` (undefined: the bare name) for an option of
 * `type`; returns where fio takes it. Numeric values go through fio's handle_option: split at ','
 * (then ':', then a '-' that is not a sign) into values, the option taken when any one of them parses
 * (parse.c keeps the first success), as fio takes `fsync=abc:1`. An `each` list needs every item right
 (options.c str_replay_skip_cb, after trimming the whole value).
 */
export function checkNoEffectValue(type: ValueType, value: string | undefined, context: ValueContext): void {
  if (value === undefined) {
    if (type.kind === 'set' || type.kind === 'any') return
    throw new FioValueError(expected(type), 'a bare option name: fio requires a value')
  }
  const { kbBase } = context
  if (checkOwnSyntax(type, value, context)) return
  const parts = splitLike(type.kind, value)
  const ok = (part: string, i: number) => accepts(type, part, i, kbBase)
  if (!(type.kind === 'each' ? parts.every(ok) : parts.some(ok))) throw new FioValueError(expected(type))
}

/** The types whose callback reads the value (true where it was checked; throws where fio refuses). */
function checkOwnSyntax(type: ValueType, value: string, { kbBase, cpus }: ValueContext): boolean {
  const word = value.split(/[:,]/)[0]!
  switch (type.kind) {
    case 'ids':
      checkPlacementIds(value)
      return true
    case 'errors':
      checkErrorList(value)
      return true
    case 'cpus':
      checkCpuList(value, cpus)
      return true
    case 'wmode':
      checkWriteMode(value)
      return true
    case 'mpol':
      checkMemPolicy(value)
      return true
    case 'nodes':
      checkCpuNodes(value)
      return true
    case 'pattern':
      checkPattern(value, type.words?.includes('%o') === true)
      return true
    case 'distribution':
    case 'service':
    case 'steady':
      // parse.c compares the word up to the first ':' or ',' with the option's values, then calls back.
      if (!type.words!.includes(word)) throw new FioValueError(expected(type))
      if (type.kind === 'distribution') checkRandomDistribution(word, value, kbBase)
      else if (type.kind === 'service') checkFileService(word, value)
      else checkSteadyState(word, value, kbBase)
      return true
    default:
      return false
  }
}

function accepts(type: ValueType, part: string, index: number, kbBase: KbBase): boolean {
  switch (type.kind) {
    case 'any':
    case 'value':
      return true
    case 'text':
      return part !== ''
    case 'bool':
    case 'set': {
      const n = cScanInt(part)
      return n !== undefined && (type.kind === 'set' || n <= 1)
    }
    case 'float':
    case 'floats': {
      const f = index < (type.kind === 'float' ? 1 : 20) ? cFloat(part) : undefined
      if (f === undefined) return false
      return !(type.min !== undefined && f < type.min) && !(type.max !== undefined && f > type.max)
    }
    case 'word':
    case 'words': {
      const head = part.split(/[:,]/)[0]!
      return type.words!.includes(head)
    }
    case 'each':
      return type.words!.includes(part)
    default:
      return acceptsNumber(type, part, kbBase)
  }
}

/** parse.c __handle_option for the numeric types: 'z', then strtoll, then pow2, maxval, minval. */
function acceptsNumber(type: ValueType, part: string, kbBase: KbBase): boolean {
  if (part.endsWith('z')) return type.kind === 'zone' && /^[ \t]*[+-]?\d+z/.test(part)
  const n = cNumber(part, type.kind === 'time', false, kbBase)
  if (n === undefined) return false
  if (type.pow2 === true && (n === 0n || (n & (n - 1n)) !== 0n)) return false
  const int = type.kind === 'int'
  if (type.max !== undefined) {
    // val_too_large: an int compares as a signed int where it is negative, else as unsigned.
    const tooLarge = int
      ? asInt(n) < 0
        ? asInt(n) > asInt(BigInt(type.max))
        : Number(BigInt.asUintN(32, n)) > type.max
      : n > BigInt(type.max)
    if (tooLarge) return false
  }
  if (type.min !== undefined && type.min !== 0) {
    const tooSmall = int ? asInt(n) < type.min : n < BigInt.asUintN(64, BigInt(type.min))
    if (tooSmall) return false
  }
  return true
}

/** How parse.c handle_option splits the value for each type before parsing the pieces. */
function splitLike(kind: ValueType['kind'], value: string): string[] {
  if (kind === 'text' || kind === 'value' || kind === 'any' || kind === 'word') return [value]
  if (kind === 'each') return value.trim().split(',')
  if (kind === 'float' || kind === 'floats') return value.split(':')
  if (kind === 'words') return value.split(',')
  const parts: string[] = []
  let rest = value
  for (;;) {
    let cut = rest.indexOf(',')
    if (cut < 0) cut = rest.indexOf(':')
    if (cut < 0) cut = rest.indexOf('-', 1)
    if (cut < 0) return [...parts, rest]
    parts.push(rest.slice(0, cut))
    rest = rest.slice(cut + 1)
  }
}

function expected(type: ValueType): string {
  const range =
    type.min !== undefined && type.max !== undefined
      ? ` from ${type.min} to ${type.max}`
      : type.min !== undefined
        ? ` of at least ${type.min}`
        : type.max !== undefined
          ? ` of at most ${type.max}`
          : ''
  switch (type.kind) {
    case 'text':
      return 'a non-empty value'
    case 'value':
    case 'any':
      return 'a value'
    case 'bool':
      return '0 or 1'
    case 'set':
      return 'nothing, or a whole number (0 or 1)'
    case 'int':
      return type.pow2 === true ? 'a power of 2' : `a whole number${range}`
    case 'size':
      return `a size like 4k or 1g${range}`
    case 'zone':
      return 'a size like 4k or 1g, a percentage like 20%, or zones like 8z'
    case 'time':
      return 'a time like 10, 200ms or 1h'
    case 'float':
      return `a number${range}`
    case 'floats':
      return `numbers separated by ":"${range}`
    case 'ids':
      return IDS
    case 'errors':
      return ERRORS
    case 'cpus':
      return CPUS
    case 'wmode':
      return WRITE_MODE
    case 'mpol':
      return MEM_POLICY
    case 'nodes':
      return NODE_LIST
    case 'pattern':
      return patternExpected(type.words?.includes('%o') === true)
    case 'distribution':
    case 'service':
    case 'steady':
    case 'word':
      return `one of ${type.words!.join(', ')}`
    case 'words':
      return `one or more of ${type.words!.join(', ')}, separated by ","`
    case 'each':
      return `a ","-separated list of ${type.words!.join(', ')}`
  }
}

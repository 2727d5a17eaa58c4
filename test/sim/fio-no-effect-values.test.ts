import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { allOptions, FioJobError, readFio } from '../../src/sim/index.js'
import { engineOwners } from '../../src/sim/workloads/fio/engine-options.js'
import type { ValueType } from '../../src/sim/workloads/fio/no-effect-values.js'
import { problemLines } from './fio-problems.js'

// The values of options with no effect, checked as fio 3.42 checks them: each option's type, posval,
// minval, maxval and pow2 in its table (options.c, engines/*.c, profiles/*.c), read as parse.c reads
// each type (handle_option, __handle_option, check_int, str_to_decimal, str_to_float). Each case was
// run through `fio --parse-only` (the callbacks that fio skips there, replay_skip's and the bare
// values of CPU and error lists, through a real run): accepted, or "failed parsing" and the job dropped.
const file = (text: string) => readFio({ files: [{ name: 'a.fio', text }] })
const lines = problemLines
const job = (line: string, engine = 'psync') => `[t]\nioengine=${engine}\nrw=read\nsize=1m\n${line}\n`
const refusal = (line: string, engine?: string) => lines(() => file(job(line, engine)))

describe('a value fio refuses is refused, one case per value type', () => {
  it.each([
    // FIO_OPT_STR_STORE: parse.c refuses an empty string, and every type but STR and STR_SET a bare name.
    ['filename=', 'a non-empty value, got ""'],
    ['exec_prerun', 'a non-empty value, got nothing (a bare option name: fio requires a value)'],
    // FIO_OPT_BOOL: check_int reads a number; maxval is 1 (parse.c option_init).
    ['randrepeat=2', '0 or 1, got "2"'],
    ['verify_fatal=true', '0 or 1, got "true"'],
    ['unlink', '0 or 1, got nothing (a bare option name: fio requires a value)'],
    // FIO_OPT_STR_SET: a bare name or a number.
    ['thread=maybe', 'nothing, or a whole number (0 or 1), got "maybe"'],
    // FIO_OPT_INT: strtoll must read a number; minval, maxval, pow2; a 'z' only on zone options.
    ['fsync=abc', 'a whole number, got "abc"'],
    ['fsync=5z', 'a whole number, got "5z"'],
    ['verify_interval=95', 'a whole number of at least 96, got "95"'],
    ['verify_offset=47', 'a whole number of at least 48, got "47"'],
    ['significant_figures=11', 'a whole number from 1 to 10, got "11"'],
    ['nice=-21', 'a whole number from -20 to 19, got "-21"'],
    ['replay_align=3', 'a power of 2, got "3"'],
    ['verify_interval=50%', 'a whole number of at least 96, got "50%"'],
    // FIO_OPT_ULL, FIO_OPT_STR_VAL.
    ['ba=0', 'a size like 4k or 1g of at least 1, got "0"'],
    ['randseed=9223372036854775808', 'a size like 4k or 1g, got "9223372036854775808"'],
    // FIO_OPT_STR_VAL_ZONE: `Nz` is zones, a 'z' after no number is refused.
    ['offset=z', 'a size like 4k or 1g, a percentage like 20%, or zones like 8z, got "z"'],
    // FIO_OPT_STR_VAL_TIME.
    ['latency_target=abc', 'a time like 10, 200ms or 1h, got "abc"'],
    // FIO_OPT_FLOAT_LIST: sscanf %lf, minfp..maxfp, maxlen items.
    ['zone_reset_threshold=2', 'a number from 0 to 1, got "2"'],
    ['zone_reset_threshold=abc:0.5', 'a number from 0 to 1, got "abc:0.5"'],
    ['merge_blktrace_scalars=x', 'numbers separated by ":", got "x"'],
    // FIO_OPT_STR with posval: the text before the first ':' or ',' is one of them.
    ['zonemode=foo', 'one of none, strided, zbd, got "foo"'],
    ['zonemode', 'one of none, strided, zbd, got nothing (a bare option name: fio requires a value)'],
    ['fallocate=nativex', 'one of none, native, posix, keep, truncate, 0, 1, got "nativex"'],
    // options.c str_steadystate_cb, parse_zoned_distribution: a threshold or a zone list after ':'
    // (fio-no-effect-syntax.test.ts has the rest of these callbacks).
    [
      'steadystate=iops',
      'a criterion with its threshold, like iops:100, bw:10m, lat:5ms or iops_slope:2%, got "iops" (fio: "steadystate threshold must be specified in addition to criterion")',
    ],
    [
      'random_distribution=zoned',
      'zoned:access/size:… per direction, the access shares adding up to 100, got "zoned" (fio: "mismatch in zoned input <zoned>")',
    ],
    ['random_distribution=foo', 'one of random, zipf, pareto, normal, zoned, zoned_abs, sequence, got "foo"'],
    // FIO_OPT_STR_MULTI.
    ['sync_file_range=foo', 'one or more of wait_before, write, wait_after, separated by ",", got "foo"'],
    // options.c str_replay_skip_cb ("Unknown skip type").
    ['replay_skip=read,foo', 'a ","-separated list of read, write, trim, sync, got "read,foo"'],
    // A value of a syntax of its own (fio-no-effect-modes.test.ts has the rest): a value is required.
    [
      'buffer_pattern',
      'a pattern of pieces like 0xdeadbeef, "text", 1234 written one after the other, got nothing (a bare option name: fio requires a value)',
    ],
    ['verifysort', 'a value, got nothing (a bare option name: fio requires a value)'],
  ])('%s', (line, expected) => {
    const name = line.split('=')[0]!
    expect(refusal(line)).toEqual([`Expected \`[t].${name}\` to be ${expected} (a.fio:5)`])
  })

  it("an engine option is read with its own engine's type: net's proto is a protocol, rdma's a verb", () => {
    // The simulation refuses both engines; the value's problem is reported with the engine's.
    const own = (line: string, engine: string) => refusal(line, engine).filter((l) => !l.includes('ioengine'))
    expect(own('proto=read', 'net')).toEqual([
      'Expected `[t].proto` to be one of tcp, tcpv6, udp, udpv6, unix, vsock, got "read" (a.fio:5)',
    ])
    expect(own('proto=tcp', 'rdma')).toEqual([
      'Expected `[t].proto` to be one of write, read, send, recv, got "tcp" (a.fio:5)',
    ])
    expect(own('proto=read', 'rdma')).toEqual([])
    expect(own('port=65536', 'net')).toEqual([
      'Expected `[t].port` to be a whole number from 1 to 65535, got "65536" (a.fio:5)',
    ])
  })

  it('zonesize, read for size=Nz too, is reported once', () => {
    expect(refusal('size=8z\nzonesize=g')).toEqual([
      'Expected `[t].zonesize` to be a size like 4k or 1g, got "g" (a.fio:6)',
    ])
  })

  it('refusing a value changes nothing else: the other problems and the line numbers stay', () => {
    const text = '[global]\nzonemode=foo\n[t]\nrw=read\nsize=1m\nfsync=abc\niodepth=abc\n'
    expect(lines(() => file(text))).toEqual([
      'Expected `[global].zonemode` to be one of none, strided, zbd, got "foo" (a.fio:2)',
      'Expected `[t].fsync` to be a whole number, got "abc" (a.fio:6)',
      'Expected `[t].iodepth` to be a whole number from 1 to 65536, got "abc" (a.fio:7)',
    ])
  })

  it('on the command line too, naming the argument', () => {
    expect(lines(() => readFio({ args: ['--name=t', '--size=1m', '--zonemode=foo'] }))).toEqual([
      'Expected `[t].zonemode` to be one of none, strided, zbd, got "foo" (command line, argument 3)',
    ])
  })
})

describe('a value fio takes is taken, with the notice, whatever fio reads it as', () => {
  it.each([
    'fsync=-5', // FIO_OPT_INT wraps: -5 is 2^64-5, which the unsigned checks pass
    'log_avg_msec=-5',
    'fsync=abc:1', // handle_option keeps the first of the split values that parses
    'randrepeat=2:1',
    'thread=2', // FIO_OPT_STR_SET: any number
    'randrepeat=-1', // check_int reads -1, which is not above maxval 1
    'randrepeat=0x1',
    'latency_target=10sec', // get_mult_time: an unknown unit counts 1 (10 µs)
    'fsync=1.5k', // strtoll stops at '.': 1
    'offset=5z',
    'zone_reset_threshold=.5',
    'zone_reset_threshold=nan',
    'zonemode=zbd:x', // posval compared up to the first ':'
    'write_bw_log', // FIO_OPT_STR whose callback takes no value
    'verifysort=abc', // FIO_OPT_SOFT_DEPRECATED
    'verify_interval=(48*2)',
    'nice=-20',
    'replay_skip=read,write',
    'steadystate=iops:10',
    'random_distribution=zipf', // zipf, pareto and normal have a default parameter
  ])('%s', (line) => {
    const plan = file(job(line))
    expect(plan.notices.some((n) => n.option === line.split('=')[0])).toBe(true)
  })
})

describe('the command line reads a set option as fio does (getopt optional_argument)', () => {
  it('--thread takes no separate value: the next argument is not its value', () => {
    expect(lines(() => readFio({ args: ['--name=t', '--size=1m', '--thread', 'x'] }))).toEqual([
      '`x` is not a fio option (job files go before the --) (command line, argument 4)',
    ])
    expect(lines(() => readFio({ args: ['--name=t', '--size=1m', '--thread=1'] }))).toEqual([])
  })
})

/** The job's engine for an option: the first engine that owns it (fio's default for fio's own). */
const engineFor = (name: string): string => engineOwners(name)?.[0] ?? 'psync'

const wordsOf = (t: ValueType) => [...(t.words ?? [])]
const WRITE_MODES = ['write', 'uncor', 'zeroes', 'verify', 'zone_append']
const of = (chars: string, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength })
const text = of('abcdefghijklmnopqrstuvwxyz0123456789_./', 12)
// Letters no reader of fio takes as a number (no hex digit, no x, nothing of inf or nan).
const letters = of('ghijklmnopqrstuvwy', 8)
const upper = of('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 8)
const inRange = (t: ValueType, lo: number, hi: number) =>
  fc.integer({ min: t.min ?? lo, max: t.max ?? hi }).map(String)

/** A value fio takes for an option of type `t` (undefined: the bare name). */
function valid(t: ValueType): fc.Arbitrary<string | undefined> {
  switch (t.kind) {
    case 'text':
    case 'value':
      return text
    case 'any':
      return fc.option(text, { nil: undefined })
    case 'bool':
      return fc.constantFrom('0', '1')
    case 'set':
      return fc.option(fc.nat().map(String), { nil: undefined })
    case 'float':
    case 'floats':
      return fc
        .double({ min: t.min ?? -1e6, max: t.max ?? 1e6, noNaN: true })
        .map((f) => String(Math.round(f * 1000) / 1000))
    case 'word':
      return fc.constantFrom(...wordsOf(t))
    case 'distribution':
    case 'service':
    case 'steady':
      // Each word with a ':' part its callback takes (zoned's shares add up to 100).
      return fc
        .constantFrom(...wordsOf(t))
        .map(
          (w) =>
            `${w}:${{ zoned: '60/10:40/90', zoned_abs: '60/1g:40/2g', sequence: '1,2', pareto: '0.5' }[w] ?? '10'}`,
        )
    case 'ids':
      return fc.tuple(fc.nat(0xffff), fc.nat(127)).map(([lo, n]) => `${Math.max(0, lo - n)}-${lo}`)
    case 'errors':
      return fc
        .array(fc.constantFrom('EIO', 'ENOSPC', '5', '0x10', 'ETIMEDOUT'), { minLength: 1, maxLength: 3 })
        .map((e) => e.join(':'))
    case 'cpus':
      return fc.tuple(fc.nat(15), fc.nat(15)).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`)
    case 'words':
    case 'each':
      return fc.subarray(wordsOf(t), { minLength: 1 }).map((w) => w.join(','))
    case 'wmode':
      // One mode, or 2 to 5 entries whose shares come to 100 (or leave one blank).
      return fc.oneof(
        fc.constantFrom(...WRITE_MODES),
        fc
          .tuple(fc.array(fc.constantFrom(...WRITE_MODES), { minLength: 2, maxLength: 5 }), fc.boolean())
          .map(([modes, blank]) =>
            modes.map((m, i) => `${m}/${i === modes.length - 1 ? (blank ? '' : 100) : 0}`).join(':'),
          ),
      )
    case 'mpol':
      return fc.constantFrom(
        'default',
        'local',
        'prefer:0',
        'prefer:7',
        'bind:0',
        'interleave',
        'interleave:all',
      )
    case 'nodes':
      return fc.constantFrom('0', '0-0', '+0', '!0', 'all', '0,0', '')
    case 'pattern': {
      const piece = fc.oneof(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((n) => `0x${n.toString(16)}`),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String),
        fc
          .string({ unit: fc.constantFrom(...'abcXYZ 019_'), minLength: 1, maxLength: 6 })
          .map((x) => `"${x}"`),
        ...(t.words?.includes('%o') === true ? [fc.constant('%o')] : []),
      )
      // A decimal number is read whole only where no 0x follows it: decimals go last.
      return fc
        .array(piece, { minLength: 1, maxLength: 4 })
        .map((ps) =>
          [...ps.filter((p) => !/^-?\d/.test(p)), ...ps.filter((p) => /^-?\d/.test(p)).slice(0, 1)].join(''),
        )
        .filter((v) => v !== '')
    }
    default:
      return t.pow2 === true
        ? fc.integer({ min: 0, max: 30 }).map((k) => String(2 ** k))
        : inRange(t, 0, 2 ** 31 - 1)
  }
}

/** A value fio refuses for an option of type `t`, or undefined where it takes every value. */
function invalid(t: ValueType): fc.Arbitrary<string | undefined> | undefined {
  const outside = [
    ...(t.max === undefined ? [] : [String(t.max + 1)]),
    ...(t.min === undefined || t.min <= 0 ? [] : [String(t.min - 1)]),
  ]
  switch (t.kind) {
    case 'any':
      return undefined
    case 'text':
      return fc.constantFrom('', undefined)
    case 'value':
      return fc.constant(undefined)
    case 'bool':
      return fc.oneof(letters, fc.integer({ min: 2, max: 2 ** 31 - 1 }).map(String))
    case 'word':
    case 'words':
    case 'each':
    case 'distribution':
    case 'service':
    case 'steady':
      return upper
    case 'ids':
      return fc.integer({ min: 0x10000, max: 2 ** 32 - 2 }).map(String)
    case 'errors':
      return letters
    case 'cpus':
      // The test machine has 16 CPUs (readFio's default): a list all beyond them.
      return fc.integer({ min: 16, max: 1023 }).map(String)
    case 'wmode':
    case 'mpol':
    case 'pattern':
      return fc.oneof(letters, upper)
    case 'nodes':
      // The simulated machine has one NUMA node, 0.
      return fc.integer({ min: 1, max: 2 ** 31 - 1 }).map(String)
    default:
      return outside.length === 0 ? letters : fc.oneof(letters, fc.constantFrom(...outside))
  }
}

describe('every no-effect option: a value of its type is taken, a value fio refuses is refused', () => {
  // Engines the simulation refuses (net, http …) add their own problem; the option's is looked for.
  const options = allOptions().flatMap((o) =>
    o.kind === 'no-effect' ? [{ ...o, engine: engineFor(o.name) }] : [],
  )
  const line = (name: string, v: string | undefined) => (v === undefined ? name : `${name}=${v}`)
  const about = (name: string, v: string | undefined, engine: string) =>
    lines(() => file(job(line(name, v), engine))).filter((l) => l.includes(`\`[t].${name}\``))

  it('a valid value: no problem with the option', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...options).chain((o) => fc.tuple(fc.constant(o), valid(o.type))),
        ([o, v]) => {
          expect(about(o.name, v, o.engine)).toEqual([])
        },
      ),
      { numRuns: 500 },
    )
  })

  it('an invalid value: a coded error naming the option and the value', () => {
    const refusable = options.filter((o) => invalid(o.type) !== undefined)
    fc.assert(
      fc.property(
        fc.constantFrom(...refusable).chain((o) => fc.tuple(fc.constant(o), invalid(o.type)!)),
        ([o, v]) => {
          let error: unknown
          try {
            file(job(line(o.name, v), o.engine))
          } catch (e) {
            error = e
          }
          expect(error).toBeInstanceOf(FioJobError)
          expect((error as FioJobError).code).toBe('ERR_SIM_SPEC')
          const got = v === undefined ? 'got nothing' : `got ${JSON.stringify(v)}`
          expect(about(o.name, v, o.engine)).toEqual([
            expect.stringMatching(
              new RegExp(`^Expected \`\\[t\\]\\.${o.name}\` to be .*, ${regexText(got)}`),
            ),
          ])
        },
      ),
      { numRuns: 500 },
    )
  })

  it('a valid value of a job whose engine the simulation runs gets the notice', () => {
    for (const o of options.filter((x) => x.engine === 'psync' || x.engine === 'io_uring')) {
      const v = fc.sample(valid(o.type), { numRuns: 1, seed: 7 })[0]
      expect(file(job(line(o.name, v), o.engine)).notices.some((n) => n.option === o.name)).toBe(true)
    }
  })
})

function regexText(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FioJobError, readFio } from '../../src/sim/index.js'
import { evaluate } from '../../src/sim/workloads/fio/arithmetic.js'
import { blockSizes, uniform } from '../../src/sim/workloads/fio/block-sizes.js'
import { FioValueError } from '../../src/sim/workloads/fio/problems.js'
import { parseInteger, parseSize, parseTimeUs } from '../../src/sim/workloads/fio/units.js'
import { perDirection } from '../../src/sim/workloads/fio/value-lists.js'
import { params } from '../helpers/fc-params.js'

// fio's units (HOWTO "Parameter types", "kb_base"; parse.c get_mult_bytes / get_mult_time).
const bytes = (text: string, kb: 1000 | 1024 = 1024) => {
  const s = parseSize(text, kb, true)
  return 'bytes' in s ? s.bytes : s
}

describe('fio units', () => {
  it.each([
    ['4096', 1024, 4096],
    ['4k', 1024, 4096],
    ['4K', 1024, 4096],
    ['4kb', 1024, 4096],
    ['4KB', 1024, 4096],
    ['4KiB', 1024, 4000], // compatibility mode: the IEC form is a power of 1000
    ['1m', 1024, 1048576],
    ['1mib', 1024, 1_000_000],
    ['4KiB', 1000, 4096],
    ['4k', 1000, 4000],
    ['1g', 1024, 2 ** 30],
    ['4096b', 1024, 4096],
    ['0x1000', 1024, 4096],
    ['(4k*3)', 1024, 12288],
    ['(1m/4+2k)', 1024, 264192],
    // `Ki`, `Mi`, …: fio (parse.c __get_mult_bytes) matches `kib` on three letters, else the first letter
    // alone, so `4Ki` is `4k`: 4096 with kb_base=1024, where `4KiB` is 4000.
    ['4Ki', 1024, 4096],
    ['512Mi', 1024, 512 * 2 ** 20],
    ['1gi', 1024, 2 ** 30],
  ] as const)('size %s with kb_base=%i is %i bytes', (text, kb, expected) => {
    expect(bytes(text, kb)).toBe(expected)
  })

  it('a size in percent or in zones stays so', () => {
    expect(parseSize('20%', 1024, true)).toEqual({ percent: 20 })
    expect(parseSize('8z', 1024, true)).toEqual({ zones: 8 })
  })

  it.each([
    ['1.5m', 'fio reads whole numbers only and would take 1'],
    ['4q', 'unknown suffix "q"'],
    ['', 'empty: an unset environment variable?'],
    // parse.c __get_mult_bytes stops at a separator: fio would take 4k and drop the rest, silently.
    ['4k/64k', 'fio would read 4k and ignore "/64k"; a split of sizes is bssplit=4k/50:64k/50'],
    ['1g:2g', 'fio would read 1g and ignore ":2g"'],
  ])('refuses the size %j: %s', (text, why) => {
    expect(() => parseSize(text, 1024)).toThrow(FioValueError)
    try {
      parseSize(text, 1024)
    } catch (e) {
      expect((e as FioValueError).why).toBe(why)
    }
  })

  it('refuses `4Ki` with kb_base=1000, where fio reads it as 4000 bytes, and names the IEC form', () => {
    expect(() => parseSize('4Ki', 1000)).toThrow(
      'with kb_base=1000 fio reads "ki" by its first letter, as k: a power of 1000, not of 1024 (write kib)',
    )
    expect(() => parseInteger('1Ki', 0, 65536, 1000)).toThrow(/whole number from 0 to 65536.*write kib/)
    expect(parseInteger('1Ki', 0, 65536, 1024)).toBe(1024)
  })

  it.each([
    ['10', true, 10e6],
    ['200ms', true, 200e3],
    ['200msec', true, 200e3],
    ['1h', true, 3600e6],
    ['10m', true, 600e6], // minutes, for a time
    ['2d', true, 172800e6],
    ['500', false, 500], // thinktime: microseconds
    ['10us', false, 10],
    ['(2*500ms)', true, 1e6],
    ['(10)', true, 10e6],
  ] as const)('time %s (seconds by default: %s) is %i µs', (text, seconds, us) => {
    expect(parseTimeUs(text, seconds)).toBe(us)
  })

  it('refuses times fio would read otherwise than written', () => {
    expect(() => parseTimeUs('10sec', true)).toThrow(/fio would read the unknown unit "sec" as 10 µs/)
    expect(() => parseTimeUs('0.5s', true)).toThrow(/whole numbers only/)
  })

  it('per-direction lists follow HOWTO "blocksize"', () => {
    expect(perDirection('8k')).toEqual(['8k', '8k', '8k'])
    expect(perDirection('8k,32k')).toEqual(['8k', '32k', '32k'])
    expect(perDirection('8k,32k,')).toEqual(['8k', '32k', undefined])
    expect(perDirection(',8k')).toEqual([undefined, '8k', '8k'])
    expect(perDirection(',8k,')).toEqual([undefined, '8k', undefined])
  })

  it('a whole number with a binary suffix is that many kibi/mebi/gibi bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 20 }),
        fc.constantFrom(['k', 1], ['m', 2], ['g', 3]),
        (n, [s, p]) => {
          expect(bytes(`${n}${s}`)).toBe(n * 1024 ** (p as number))
          expect(bytes(`${n}${(s as string).toUpperCase()}iB`, 1000)).toBe(n * 1024 ** (p as number))
        },
      ),
      params(200),
    )
  })

  it('arithmetic evaluates + - * / % ^ and parentheses (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (a, b) => {
        expect(evaluate(`(${a}+${b}*2)`, false)).toBe(a + b * 2)
        expect(evaluate(`((${a}-${b})%${b})`, false)).toBe((a - b) % b)
        expect(evaluate(`(2^3*${a})`, false)).toBe(8 * a)
      }),
      params(200),
    )
  })

  it("a range's distribution adds up to 100 and stays inside the range (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (a, b, unaligned) => {
          const [lo, hi] = [Math.min(a, b) * 512, Math.max(a, b) * 512]
          const d = uniform(lo, hi, unaligned)
          expect(d.reduce((s, [, p]) => s + p, 0)).toBeCloseTo(100, 9)
          for (const [size] of d) {
            expect(size).toBeGreaterThanOrEqual(lo)
            expect(size).toBeLessThanOrEqual(hi)
            if (!unaligned) expect(size === hi || size % lo === 0).toBe(true)
          }
        },
      ),
      params(300),
    )
  })

  it('bssplit with blank and odd percentages: fio fills the blanks and gives the rest to the largest', () => {
    const notes: string[] = []
    const d = blockSizes(
      {
        bssplit: '4k/10:8k/30',
        rangeLast: false,
        unaligned: false,
        kbBase: { bs: 1024, bsrange: 1024, bssplit: 1024 },
      },
      notes,
    )
    expect(d.read).toEqual([
      [4096, 10],
      [8192, 90],
    ])
    expect(notes[0]).toBe('read bssplit percentages add up to 40: fio draws 4096/10:8192/90')
  })

  it('any job file text reads into a plan or a FioJobError of one line (property)', () => {
    const line = fc.oneof(
      fc.constantFrom(
        '[global]',
        '[j]',
        '[k]',
        '',
        '; c',
        'include x',
        'stonewall',
        'time_based',
        'bs=4k,8k',
      ),
      fc
        .tuple(
          fc.constantFrom(
            'rw',
            'bs',
            'bsrange',
            'bssplit',
            'size',
            'runtime',
            'rate',
            'thinktime',
            'iodepth',
            'ioengine',
            'verify',
            'wait_for',
            'kb_base',
            'cpus_allowed',
            'startdelay',
            'bogus',
          ),
          fc.oneof(
            fc.string({ maxLength: 8 }),
            fc.constantFrom(
              '4k',
              '1m',
              '(2*3)',
              '0x10',
              '1-4k',
              'read:8',
              'psync',
              '10ms',
              '4k/50:8k/',
              '1000',
              'j',
            ),
          ),
        )
        .map(([k, v]) => `${k}=${v}`),
    )
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        try {
          const plan = readFio({ files: [{ name: 'p.fio', text: lines.join('\n') }] })
          for (const p of plan.phases) for (const j of p.jobs) expect(j.iodepth).toBeGreaterThanOrEqual(1)
        } catch (e) {
          expect(e).toBeInstanceOf(FioJobError)
          expect((e as Error).message).not.toMatch(/\n/)
        }
      }),
      params(500),
    )
  })
})

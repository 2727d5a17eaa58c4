import { describe, expect, it } from 'vitest'
import { allOptions, FioJobError, readFio } from '../../src/sim/index.js'

// Option values as fio 3.42 reads them (parse.c handle_option, __handle_option, str_to_decimal;
// options.c for each option's type, minval and maxval), checked with `fio --parse-only --debug=parse`.
const jobs = (text: string) => readFio({ files: [{ name: 'a.fio', text }] }).phases.flatMap((p) => p.jobs)
const one = (text: string) => jobs(text)[0]!
type Job = ReturnType<typeof one>
const problems = (text: string): string => {
  try {
    jobs(text)
  } catch (e) {
    if (e instanceof FioJobError) return e.message
    throw e
  }
  throw new Error('no problem reported')
}

describe('options fio has deprecated outright (options.c FIO_OPT_DEPRECATED)', () => {
  // fio prints "Option rwmixcycle is deprecated", then "failed parsing rwmixcycle=10" and drops the job.
  it.each(['rwmixcycle=10', 'percentage_sequential=50'])('%s is refused, as fio rejects it', (line) => {
    const name = line.split('=')[0]!
    expect(problems(`[t]\nrw=randrw\nsize=1m\n${line}\n`)).toBe(
      `\`[t].${name}\` is not simulated: deprecated: fio rejects the job ("Option ${name} is deprecated", "failed parsing")${name === 'percentage_sequential' ? '; write percentage_random=100-N' : ''} (a.fio:4)`,
    )
  })

  it('flow_watermark (FIO_OPT_SOFT_DEPRECATED) is only a notice, as fio only prints it', () => {
    expect(one('[t]\nrw=read\nsize=1m\nflow_watermark=3\n').name).toBe('t')
  })
})

describe('integer options take size suffixes (parse.c str_to_decimal, kilo=1, for FIO_OPT_INT)', () => {
  it.each([
    ['iodepth=16k', (j: Job) => j.iodepthGiven, 16384],
    ['numjobs=2k', (j: Job) => j.numjobs, 2048],
    ['loops=1k', (j: Job) => j.loops, 1024],
    ['number_ios=0x10', (j: Job) => j.numberIos, 16],
    ['rate_iops=1k', (j: Job) => j.rateIops.read, 1024],
    ['kb_base=1000\niodepth=16k', (j: Job) => j.iodepthGiven, 16000],
  ] as const)('%s', (lines, get, expected) => {
    expect(get(one(`[t]\nrw=randread\nioengine=libaio\ndirect=1\nsize=1m\n${lines}\n`))).toBe(expected)
  })

  it.each([
    ['kb_base=0x400', '`[t].kb_base` to be 1000 or 1024, got "0x400"'],
    ['flow=1001', '`[t].flow` to be a whole number from 0 to 1000, got "1001"'],
    ['filesize=0', '`[t].filesize` to be a size of at least 1 byte, got "0"'],
  ])(
    '%s is refused, as fio refuses it (kb_base is a word; flow maxval 1000; filesize minval 1)',
    (line, message) => {
      expect(problems(`[t]\nrw=read\nsize=1m\n${line}\n`)).toContain(message)
    },
  )

  it('a set option (FIO_OPT_STR_SET) takes any whole number, nonzero meaning set', () => {
    expect(one('[t]\nrw=read\nsize=1m\nruntime=1\ntime_based=2\n').timeBased).toBe(true)
    expect(one('[t]\nrw=read\nsize=1m\nruntime=1\ntime_based=0\n').timeBased).toBe(false)
  })
})

describe('several values in one option (parse.c handle_option splits at ",", else ":", else "-")', () => {
  const sizes = (j: Job) => [j.bs.read[0]![0], j.bs.write[0]![0], j.bs.trim[0]![0]]
  it.each([
    ['bs=4k:8k', [4096, 8192, 8192]],
    ['bs=4k-8k', [4096, 8192, 8192]],
    ['bs=4k:', [4096, 4096, 4096]],
    ['bs=2k:8k:16k', [2048, 8192, 16384]],
  ])('%s is one size per direction, as fio reads it', (line, expected) => {
    expect(sizes(one(`[t]\nrw=randtrimwrite\nsize=1m\n${line}\n`))).toEqual(expected)
  })

  it('bs=4k-8k gets a notice: it is not a range', () => {
    const plan = readFio({ files: [{ name: 'a.fio', text: '[t]\nrw=randrw\nsize=1m\nbs=4k-8k\n' }] })
    expect(plan.notices.find((n) => n.option === 'bs')?.message).toBe(
      'fio reads bs=4k-8k as one size per direction (reads, then writes and trims), as with ",": not a range (bsrange=lo-hi is one)',
    )
  })

  it('rate and rate_iops the same', () => {
    const j = one('[t]\nrw=randrw\nsize=1m\nrate=1m:2m:3m\nrate_iops=100-200\n')
    expect(j.rate).toEqual({ read: 1048576, write: 2097152, trim: 3145728 })
    expect(j.rateIops).toEqual({ read: 100, write: 200, trim: 200 })
  })

  it('filesize and startdelay take their two ends after "," as well', () => {
    expect(one('[t]\nrw=read\nstartdelay=1,2\nsize=1m\n').startDelayMs).toEqual([1000, 2000])
    expect(one('[t]\nrw=read\nfilesize=1m,3m\n').sizeBytes).toBe(2 * 1048576)
  })

  it.each([
    [
      'iodepth=4:8',
      '`[t].iodepth` to be a whole number from 1 to 65536, got "4:8" (fio splits it at "," ":" or "-" into values and keeps only the first, 4)',
    ],
    [
      'runtime=10-20',
      '`[t].runtime` to be a time like 10, 200ms or 1h, got "10-20" (fio splits it at "," ":" or "-" into values and keeps only the first, 10)',
    ],
  ])('%s, an option with one value, is refused with what fio keeps', (line, message) => {
    expect(problems(`[t]\nrw=read\nsize=1m\n${line}\n`)).toContain(message)
  })

  it('an expression in an option with one value is computed whole: iodepth=(16-8) is 8', () => {
    expect(one('[t]\nrw=read\nioengine=libaio\nsize=1m\niodepth=(16-8)\n').iodepthGiven).toBe(8)
  })

  it('an expression fio splits into more directions is refused: fio reads bs=(16k-4k*2) as 8k reads, 4k writes', () => {
    expect(problems('[t]\nrw=randrw\nsize=1m\nbs=(16k-4k*2)\n')).toContain(
      'got "(16k-4k*2)" (fio splits (16k-4k*2) at the "-" and reads 4k*2) as a further value)',
    )
  })

  it('bsrange needs two ends (FIO_OPT_RANGE): fio rejects bsrange=4k', () => {
    expect(problems('[t]\nrw=read\nsize=1m\nbsrange=4k\n')).toContain(
      '`[t].bsrange` to be a range like 4k-16k, got "4k" (fio rejects a single value)',
    )
  })
})

describe('bs_is_seq_rand and percentage_random (io_u.c get_next_buflen, should_do_random)', () => {
  // Checked with fio's null engine, bs=4k,64k bs_is_seq_rand=1: randrw reads and writes are 64 KiB,
  // rw=rw reads and writes 4 KiB, randread with percentage_random=25 averages 19295 bytes an I/O
  // (0.25 × 65536 + 0.75 × 4096 = 19456).
  const job = (lines: string) => one(`[t]\nioengine=libaio\ndirect=1\nsize=1m\nbs=4k,64k\n${lines}\n`)
  it('random I/Os take the second size in every direction', () => {
    const j = job('rw=randrw\nbs_is_seq_rand=1')
    expect([j.bs.read, j.bs.write]).toEqual([[[65536, 100]], [[65536, 100]]])
  })

  it('sequential I/Os take the first size in every direction', () => {
    const j = job('rw=rw\nbs_is_seq_rand=1\npercentage_random=10')
    expect([j.bs.read, j.bs.write]).toEqual([[[4096, 100]], [[4096, 100]]])
  })

  it('percentage_random mixes them per direction', () => {
    const j = job('rw=randrw\nbs_is_seq_rand=1\npercentage_random=25,50')
    expect([j.bs.read, j.bs.write]).toEqual([
      [
        [65536, 25],
        [4096, 75],
      ],
      [
        [65536, 50],
        [4096, 50],
      ],
    ])
  })

  it('without bs_is_seq_rand, direct I/O sizes do not depend on it', () => {
    const j = job('rw=randrw\npercentage_random=25')
    expect([j.bs.read, j.bs.write]).toEqual([[[4096, 100]], [[65536, 100]]])
  })

  it('buffered I/O: the sequential share of a rand* job reads ahead and writes back in 256 KiB', () => {
    const j = one('[t]\nrw=randrw\nbs=4k\nsize=1m\npercentage_random=25\n')
    expect(j.buffered?.bs.read).toEqual([
      [4096, 25],
      [131072, 75],
    ])
    expect(j.buffered?.bs.write).toEqual([
      [4096, 25],
      [262144, 75],
    ])
  })

  it('percentage_random above 100 is refused (options.c maxval 100)', () => {
    expect(problems('[t]\nrw=randread\nsize=1m\npercentage_random=101\n')).toContain(
      '`[t].percentage_random` to be a whole number from 0 to 100, got "101"',
    )
  })
})

describe('every setting of every modelled option is checked, as fio parses each line', () => {
  // Options whose value is free text to fio (FIO_OPT_STR_STORE): any word is a value (libblkio and
  // xnvme check theirs when the engine starts: an unknown driver or backend is not the kernel's).
  const FREE_TEXT = new Set(['name', 'description', 'wait_for', 'libblkio_driver', 'xnvme_be'])
  const checked = allOptions().filter((o) => o.kind === 'modelled' && !FREE_TEXT.has(o.name))

  it.each(checked.map((o) => o.name))('%s=zz9 is refused, used or not, and before a good setting', (name) => {
    for (const text of [
      `[t]\nrw=read\nsize=1m\n${name}=zz9\n`,
      `[t]\nrw=read\nsize=1m\n${name}=zz9\n${name}=1\n`,
    ]) {
      expect(problems(text)).toContain(`\`[t].${name}\``)
    }
  })
})

describe("names of Object.prototype's members are no option values", () => {
  // Found by test/reliability/spec-fuzz: `rw=valueOf` found Object.prototype.valueOf in the table of
  // modes and failed with a TypeError instead of a coded refusal.
  it.each([
    ['rw=valueOf', 'rw'],
    ['rw=constructor', 'rw'],
    ['rw=read\ncontinue_on_error=constructor', 'continue_on_error'],
    ['rw=read\nbs=(4constructor)', 'bs'],
  ])('%s is refused with a coded error naming the option', (lines, option) => {
    expect(problems(`[t]\nsize=1m\n${lines}\n`)).toContain(`\`[t].${option}\``)
  })

  it('--constructor on the command line is an unknown option, not a refused one', () => {
    let message = ''
    try {
      readFio({ args: ['--name=t', '--rw=read', '--size=1m', '--constructor=1'] })
    } catch (e) {
      if (!(e instanceof FioJobError)) throw e
      message = e.message
    }
    expect(message).toContain('`[t].constructor` is not an option fio knows')
    expect(message).not.toContain('function')
  })
})

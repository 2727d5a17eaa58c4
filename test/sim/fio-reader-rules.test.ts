import { describe, expect, it } from 'vitest'
import { FioJobError, readFio } from '../../src/sim/index.js'

// Where fio reads a value otherwise than it looks (checked against fio 3.42 with --parse-only
// --debug=parse and null-engine runs): each case is read as fio does, or refused with fio's reading.
const jobs = (text: string, args: string[] = [], more: string[] = []) =>
  readFio({
    files: [{ name: 'a.fio', text }, ...more.map((t, i) => ({ name: `f${i}.fio`, text: t }))],
    args,
  }).phases.flatMap((p) => p.jobs)
const one = (text: string) => jobs(text)[0]!
const problems = (fn: () => unknown): string => {
  try {
    fn()
  } catch (e) {
    if (e instanceof FioJobError) return e.message
    throw e
  }
  throw new Error('no problem reported')
}

describe('a blank after "=" (parse.c get_option trims only the name)', () => {
  it.each([
    ['bs = 8k', 'bs'],
    ['runtime = 500ms', 'runtime'],
    ['rw = randwrite', 'rw'],
  ])('%j is refused with how fio reads it, naming the line', (line, key) => {
    expect(problems(() => jobs(`[t]\nsize=1m\n${line}\n`))).toBe(
      `\`[t].${key}\` has a blank after "=" ("${line}"): fio keeps the blank in the value and then reads a number without its unit (bs = 8k is 8 bytes, runtime = 500ms is 500 s) and rejects a word (rw = randwrite); write ${line.replace(' = ', '=')} (a.fio:3)`,
    )
  })

  it('a blank before "=" only is fine, as in fio', () => {
    expect(one('[t]\nbs =8k\nsize=64k\n').bs.read).toEqual([[8192, 100]])
  })
})

describe('the command line has no substitution (options.c fio_cmd_option_parse)', () => {
  it.each(['--bs=$pagesize', `--size=$\{SIZE}`])('%s is refused', (arg) => {
    const message = problems(() => readFio({ args: ['--name=t', arg] }, { env: { SIZE: '1m' } }))
    expect(message).toContain(`\`[t].${arg.slice(2)}\` uses `)
    expect(message).toContain('fio replaces variables and keywords in job files only')
  })

  it('the same in a job file is substituted', () => {
    expect(one('[t]\nbs=$pagesize\nsize=1m\n').bs.read).toEqual([[4096, 100]])
  })
})

describe("arithmetic as fio's expression parser computes it (exp/expression-parser.y)", () => {
  it.each([
    ['(64k/4k*4k)', 68719476736], // a unit multiplies the whole product before it
    ['(1m/4k)', 268435456],
    ['(4k*2)', 8192],
    ['(1+2k)', 2049],
    ['(7/2*2)', 6], // whole-number division
    ['(2*5%3)', 4], // % binds tighter than *
    ['(2^3%2)', 2], // and tighter than ^
    ['(3.5*2)', 7],
    ['(1s)', 1_000_000], // every unit in every option
  ])('size=%s is %i bytes', (expr, bytes) => {
    expect(one(`[t]\nsize=${expr}\n`).sizeBytes).toBe(bytes)
  })

  it('a whole-number option gets the same arithmetic', () => {
    expect(one('[t]\nsize=1m\niodepth=(32/3*3)\nioengine=libaio\ndirect=1\n').iodepthGiven).toBe(30)
  })

  it.each([
    ['(1500ms)', 1000],
    ['(2*750ms)', 1000],
    ['(90)', 90_000],
    ['(1m+30)', 60_000], // once a unit is written, a bare 30 is 30 µs
    ['(500ms)', null], // 0 s: no runtime
  ])('runtime=%s keeps whole seconds: %s ms', (expr, ms) => {
    expect(one(`[t]\nsize=1m\nruntime=${expr}\n`).runtimeMs).toBe(ms)
  })

  it('startdelay and ramp_time keep whole seconds too; thinktime keeps µs', () => {
    const j = one('[t]\nsize=1m\nstartdelay=(1500ms)\nramp_time=(2500ms)\nthinktime=(1500us)\n')
    expect(j.startDelayMs).toEqual([1000, 1000])
    expect(j.rampMs).toBe(2000)
    expect(j.thinktime?.us).toBe(1500)
  })

  it('a result without a unit that does not fit in a C int is refused, as fio casts it', () => {
    expect(problems(() => one('[t]\nsize=(4*1024*1024*1024)\n'))).toContain(
      'without a unit does not fit in the C int fio casts it to',
    )
  })

  it('$pagesize arithmetic goes through bc: whole numbers, usual precedence', () => {
    expect(one('[t]\nsize=$pagesize/3*3\n').sizeBytes).toBe(4095)
    expect(one('[t]\nsize=$pagesize*2%3\n').sizeBytes).toBe(2)
    expect(problems(() => one('[t]\nsize=$pagesize*2k\n'))).toContain('bc cannot read "k"')
  })
})

describe('kb_base applies to the values read after it (parse.c __get_mult_bytes)', () => {
  it('a [global] bs=4k stays 4096 bytes when the job sets kb_base=1000', () => {
    const j = one('[global]\nbs=4k\nsize=400k\n[t]\nkb_base=1000\n')
    expect(j.bs.read).toEqual([[4096, 100]])
    expect(j.sizeBytes).toBe(409600)
  })

  it('in file order: a size before kb_base keeps 1024, one after takes 1000', () => {
    const j = one('[t]\nbs=4k\nkb_base=1000\nsize=400k\n')
    expect(j.bs.read).toEqual([[4096, 100]])
    expect(j.sizeBytes).toBe(400_000)
  })

  it('a [global] kb_base applies to the jobs below it', () => {
    expect(one('[global]\nkb_base=1000\n[t]\nbs=4KiB\nsize=1m\n').bs.read).toEqual([[4096, 100]])
  })

  it('on the command line too, in argument order', () => {
    const [j] = readFio({ args: ['--name=t', '--bs=4k', '--kb_base=1000', '--size=400k'] }).phases[0]!.jobs
    expect(j!.bs.read).toEqual([[4096, 100]])
    expect(j!.sizeBytes).toBe(400_000)
  })
})

describe('several job files and the command line (init.c parse_options)', () => {
  it("a second job file starts from fio's defaults: not the first file's [global]", () => {
    const all = jobs('[global]\nbs=8k\nsize=1m\n[a]\n', [], ['[b]\nsize=1m\n'])
    expect(all.map((j) => j.bs.read)).toEqual([[[8192, 100]], [[4096, 100]]])
  })

  it("nor the command line's globals, which the first file does get", () => {
    const all = jobs('[a]\nsize=1m\n', ['--bs=8k'], ['[b]\nsize=1m\n'])
    expect(all.map((j) => j.bs.read)).toEqual([[[8192, 100]], [[4096, 100]]])
  })

  it('command-line jobs and the first job file run together; a second file waits', () => {
    const all = jobs('[a]\nsize=1m\n', ['--name=c', '--size=1m'], ['[b]\nsize=1m\n'])
    expect(all.map((j) => [j.name, j.phase])).toEqual([
      ['c', 0],
      ['a', 0],
      ['b', 1],
    ])
  })
})

describe('bssplit as fio issues it (io_u.c get_next_buflen, options.c bssplit_ddir)', () => {
  it('each size is rounded down to a multiple of the smallest: 4k/50:6k/50 is all 4 KiB', () => {
    const plan = readFio({ files: [{ name: 'a.fio', text: '[t]\nsize=1m\nbssplit=4k/50:6k/30:12k/20\n' }] })
    expect(plan.phases[0]!.jobs[0]!.bs.read).toEqual([
      [4096, 80],
      [12288, 20],
    ])
    expect(plan.notices.map((n) => n.message)).toContain(
      'read bssplit sizes that are not multiples of the smallest (4096) are rounded down by fio, as by the simulation: it issues 4096/80:12288/20',
    )
  })

  it('bs_unaligned keeps the sizes as written', () => {
    expect(one('[t]\nsize=1m\nbs_unaligned\nbssplit=4k/50:6k/50\n').bs.read).toEqual([
      [4096, 50],
      [6144, 50],
    ])
  })

  it('a blank entry after shares adding up to more than 100 is refused (unsigned wrap in fio)', () => {
    expect(problems(() => one('[t]\nsize=1m\nbssplit=4k/60:8k/60:16k\n'))).toContain(
      "the blank entry gets 100 - 120 in fio's unsigned arithmetic, which wraps around to 4294967276",
    )
  })
})

describe('options fio knows that the reader had missed', () => {
  it("thinkcycles=0 is fio's default; a stall in CPU cycles is refused with the reason", () => {
    expect(one('[t]\nsize=1m\nthinkcycles=0\n').name).toBe('t')
    expect(problems(() => one('[t]\nsize=1m\nthinkcycles=1000\n'))).toContain(
      '`[t].thinkcycles` is not simulated: fio spins that many CPU cycles after each completion',
    )
  })

  // Engine options (proto, chunck_size …) only exist under their engine: fio-engine-options.test.ts.
  it.each(['flow_watermark=10'])('%s is an option fio knows: no effect', (line) => {
    const plan = readFio({ files: [{ name: 'a.fio', text: `[t]\nsize=1m\n${line}\n` }] })
    expect(plan.notices.map((n) => n.option)).toContain(line.split('=')[0])
  })
})

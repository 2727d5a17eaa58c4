import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { FioJobError, fioPlanToSpec, parseSpec, readFio, SpecError } from '../../src/sim/index.js'
import { OTHER_FIO_KEYS } from '../../src/sim/workloads/job-fio-keys.js'
import { memoryIo } from './cli-io.js'

// A JSON spec's jobs take fio's option names. Each fio option one takes is read as the fio reader
// (src/sim/workloads/fio) reads it: modelled, reported in a notice, or refused with a SpecError naming
// the field and the value. The reader is the reference: option types from fio's options.c and parse.c
// (FIO_OPT_BOOL is 0 or 1, FIO_OPT_STR_SET a bare name or any whole number, FIO_OPT_INT a number).

type Json = Record<string, unknown>

function json(job: Json, more: Json[] = []) {
  const spec = parseSpec({ jobs: [{ name: 'j', runtime: '1s', ...job }, ...more] })
  return { job: spec.jobs[0]!, notices: spec.notices ?? [] }
}

function refusal(job: Json, more: Json[] = []): SpecError {
  try {
    json(job, more)
  } catch (error) {
    if (error instanceof SpecError) return error
    throw error
  }
  throw new Error(`accepted ${JSON.stringify(job)}`)
}

/** The same job on fio's command line, as the fio reader reads it: the simulation job and the notices. */
function reader(args: string[]) {
  const plan = readFio({ args: ['--name=j', '--runtime=1s', ...args] })
  return { job: fioPlanToSpec(plan, { name: 'f' }).jobs[0]!, notices: plan.notices }
}

const noticeOf = (notices: ReadonlyArray<{ option: string; message: string }>, option: string) =>
  notices.find((n) => n.option === option)?.message

describe('a JSON job reads fio options as the fio reader does', () => {
  it("ioengine: a synchronous engine runs at depth 1 with the reader's notice; no I/O or unknown engines are refused", () => {
    const psync = json({ rw: 'randread', iodepth: 8, ioengine: 'psync' })
    const fio = reader(['--rw=randread', '--iodepth=8', '--ioengine=psync', '--direct=1'])
    expect(psync.job.iodepth).toBe(fio.job.iodepth)
    expect(psync.job.iodepth).toBe(1)
    expect(noticeOf(psync.notices, 'jobs[0].iodepth')).toBe(noticeOf(fio.notices, 'iodepth'))
    expect(json({ rw: 'randread', iodepth: 8, ioengine: 'libaio' }).job.iodepth).toBe(8)
    for (const engine of ['null', 'cpuio', 'net', 'nosuch', 42]) {
      const e = refusal({ ioengine: engine })
      expect([e.code, e.field]).toEqual(['ERR_SIM_SPEC', 'jobs[0].ioengine'])
      expect(e.message).toContain(JSON.stringify(engine))
    }
  })

  it.each([
    ['read', 'libaio'],
    ['randread', 'libaio'],
    ['read', 'io_uring'],
    ['write', 'libaio'],
    ['randwrite', 'psync'],
  ])(
    'direct: 0 (%s, %s) is the page-cache model, with the sizes, depth and notice of the reader',
    (rw, engine) => {
      const bs = '16k'
      const buffered = json({ rw, bs, iodepth: 4, ioengine: engine, direct: 0 })
      const fio = reader([`--rw=${rw}`, `--bs=${bs}`, '--iodepth=4', `--ioengine=${engine}`, '--direct=0'])
      expect(buffered.job.bssplit).toEqual(fio.job.bssplit)
      expect(buffered.job.iodepth).toBe(fio.job.iodepth)
      expect(noticeOf(buffered.notices, 'jobs[0].direct')).toBe(noticeOf(fio.notices, 'direct'))
      // direct: 1 is what a JSON job does without it.
      expect(json({ rw, bs, iodepth: 4, ioengine: engine, direct: 1 })).toEqual(
        json({ rw, bs, iodepth: 4, ioengine: engine }),
      )
    },
  )

  it('direct and buffered: values as fio reads a BOOL; buffered is the opposite; a mixed buffered job is refused', () => {
    expect(json({ rw: 'read', buffered: 1 }).job).toEqual(json({ rw: 'read', direct: 0 }).job)
    expect(json({ rw: 'read', buffered: false })).toEqual(json({ rw: 'read' }))
    for (const [key, value] of [
      ['direct', 'yes'],
      ['direct', 2],
      ['buffered', -1],
      ['direct', null],
    ] as const) {
      const e = refusal({ [key]: value })
      expect([e.field, e.message]).toEqual([`jobs[0].${key}`, expect.stringContaining(JSON.stringify(value))])
    }
    expect(refusal({ direct: 1, buffered: 1 }).field).toBe('jobs[0].buffered')
    expect(refusal({ rw: 'randrw', direct: 0 }).field).toBe('jobs[0].direct')
    // Passthrough engines transfer directly whatever direct says, as in the reader.
    expect(json({ rw: 'read', ioengine: 'io_uring_cmd', direct: 0 }).job.bssplit).toEqual([
      { bytes: 4096, weight: 100 },
    ])
  })

  it('size: bounds a job fio ends by bytes, refused; with time_based it has no effect, said so', () => {
    const e = refusal({ size: '1g' })
    expect([e.field, e.message]).toEqual(['jobs[0].size', expect.stringContaining('"1g"')])
    expect(refusal({ size: '1g', time_based: 0 }).field).toBe('jobs[0].size')
    const timed = json({ size: '1g', time_based: 1 })
    expect(timed.job).toEqual(json({}).job)
    expect(noticeOf(timed.notices, 'jobs[0].size')).toMatch(/^no effect on bounce buffering: with time_based/)
    expect(refusal({ size: 'lots', time_based: 1 }).field).toBe('jobs[0].size')
  })

  it('size: its value is read as the reader reads it; 0, a percentage or zones bound nothing, as in the reader', () => {
    // fio's size is FIO_OPT_STR_VAL with a percentage (options.c str_size_cb): 0 is the whole device,
    // N% a share of it, Nz zones; the reader's job then has no size bound and runs for its runtime.
    for (const value of ['0', '50%', '8z']) {
      const fio = reader(['--ioengine=libaio', '--direct=1', `--size=${value}`])
      expect(fio.job.fio?.sizeBytes).toBeNull()
      const noticed = json({ size: value })
      expect(noticed.job).toEqual(json({}).job)
      const reason = noticeOf(fio.notices, 'size')
      expect(noticeOf(noticed.notices, 'jobs[0].size')).toBe(
        reason ?? 'size=0 is no size bound (fio: the whole file or device): the job runs for its runtime',
      )
      expect(json({ size: value, time_based: 1 }).job).toEqual(json({}).job)
    }
    expect(json({ size: 0 }).job).toEqual(json({}).job)
    // A value fio reads as something else than it says is refused, as the reader refuses it.
    expect(() => reader(['--time_based', '--size=1.5g'])).toThrow(/fio reads whole numbers only/)
    const e = refusal({ size: '1.5g', time_based: 1 })
    expect([e.field, e.message]).toEqual([
      'jobs[0].size',
      expect.stringContaining('fio reads whole numbers only'),
    ])
    expect(refusal({ size: '101%', time_based: 1 }).field).toBe('jobs[0].size')
  })

  it('time_based: a JSON job runs for its runtime; the value is read as fio reads a STR_SET option', () => {
    expect(json({ time_based: 1 })).toEqual(json({}))
    expect(json({ time_based: true })).toEqual(json({}))
    expect(json({ time_based: 0 })).toEqual(json({}))
    expect(refusal({ time_based: 'on' }).field).toBe('jobs[0].time_based')
  })

  it.each(['thread', 'norandommap', 'randrepeat', 'invalidate', 'iodepth_batch_submit'])(
    '%s: no effect, with the notice and reason of the reader',
    (key) => {
      const noticed = json({ [key]: 1 })
      expect(noticed.job).toEqual(json({}).job)
      const fio = reader([`--${key}=1`])
      expect(noticeOf(noticed.notices, `jobs[0].${key}`)).toBe(noticeOf(fio.notices, key))
      expect(noticeOf(noticed.notices, `jobs[0].${key}`)).toMatch(/^no effect on bounce buffering: /)
    },
  )

  it('values of the options with no effect are checked as fio parses them', () => {
    // parse.c: FIO_OPT_STR_SET takes any whole number (check_int), FIO_OPT_BOOL only 0 or 1.
    expect(json({ thread: 7 }).notices).toHaveLength(1)
    expect(refusal({ thread: 'yes' }).field).toBe('jobs[0].thread')
    expect(refusal({ norandommap: [] }).field).toBe('jobs[0].norandommap')
    expect(refusal({ randrepeat: 2 }).field).toBe('jobs[0].randrepeat')
    expect(refusal({ invalidate: 'x' }).field).toBe('jobs[0].invalidate')
    expect(refusal({ iodepth_batch_submit: -1 }).field).toBe('jobs[0].iodepth_batch_submit')
    expect(refusal({ description: 5 }).field).toBe('jobs[0].description')
  })

  it('group_reporting, new_group, description: noticed (they shape fio-json reports and explain of job files)', () => {
    for (const [key, value] of [
      ['group_reporting', 1],
      ['new_group', true],
      ['description', 'nightly'],
    ] as const) {
      const noticed = json({ [key]: value })
      expect(noticed.job).toEqual(json({}).job)
      expect(noticeOf(noticed.notices, `jobs[0].${key}`)).toMatch(/^no effect: /)
    }
    expect(refusal({ group_reporting: 'all' }).field).toBe('jobs[0].group_reporting')
  })

  it('stonewall: the jobs of a JSON spec start together, so a stonewall after the first is refused', () => {
    const e = refusal({}, [{ name: 'k', stonewall: 1 }])
    expect([e.field, e.message]).toEqual(['jobs[1].stonewall', expect.stringContaining('got 1')])
    expect(json({ stonewall: 1 })).toEqual(json({}))
    expect(json({}, [{ name: 'k', stonewall: 0 }]).notices).toEqual([])
    expect(refusal({ stonewall: 'x' }).field).toBe('jobs[0].stonewall')
  })

  it('iodepth_batch_complete: the reader waits for that many completions; a JSON job can wait for one only', () => {
    expect(json({ iodepth: 8, iodepth_batch_complete: 1 })).toEqual(json({ iodepth: 8 }))
    expect(json({ iodepth: 1, iodepth_batch_complete: 4 })).toEqual(json({ iodepth: 1 }))
    const e = refusal({ iodepth: 8, iodepth_batch_complete: 4 })
    expect([e.field, e.message]).toEqual(['jobs[0].iodepth_batch_complete', expect.stringContaining('got 4')])
    // The reader's depth for the same job: 4 completions per refill.
    expect(
      reader(['--ioengine=libaio', '--direct=1', '--iodepth=8', '--iodepth_batch_complete=4']).job.fio
        ?.completeMin,
    ).toBe(4)
  })

  it("iodepth_batch_complete is held to the depth the job runs at, after the page-cache model (the reader's to-spec.ts: min(depth, n))", () => {
    // Buffered writes run at the writeback depth, 8: the reader waits for 4 completions.
    const writes = ['--rw=write', '--direct=0', '--iodepth=1', '--iodepth_batch_complete=4']
    expect(reader(writes).job.fio?.completeMin).toBe(4)
    const w = refusal({ rw: 'write', direct: 0, iodepth: 1, iodepth_batch_complete: 4 })
    expect([w.field, w.message]).toEqual([
      'jobs[0].iodepth_batch_complete',
      expect.stringContaining('at most 1 at iodepth 8'),
    ])
    // libaio's buffered reads run one at a time: the reader waits for 1, as a JSON job does.
    const reads = [
      '--rw=read',
      '--direct=0',
      '--iodepth=4',
      '--ioengine=libaio',
      '--iodepth_batch_complete=4',
    ]
    expect(reader(reads).job.fio?.completeMin).toBe(1)
    const r = { rw: 'read', direct: 0, iodepth: 4, ioengine: 'libaio' }
    expect(json({ ...r, iodepth_batch_complete: 4 }).job).toEqual(json(r).job)
  })

  it.each(['hipri', 'sqthread_poll'])(
    '%s: an engine option, noticed with the engine that has it, refused otherwise (fio: "Bad option")',
    (key) => {
      const noticed = json({ ioengine: 'io_uring', [key]: 1 })
      const fio = reader(['--ioengine=io_uring', `--${key}`])
      expect(noticeOf(noticed.notices, `jobs[0].${key}`)).toBe(noticeOf(fio.notices, key))
      expect(refusal({ [key]: 1 }).field).toBe(`jobs[0].${key}`)
      expect(refusal({ ioengine: 'libaio', [key]: 1 }).field).toBe(`jobs[0].${key}`)
      expect(() => reader(['--ioengine=libaio', `--${key}`])).toThrow(FioJobError)
    },
  )
})

/** fio's spelling of a JSON value on its command line. */
const fioText = (v: unknown) => (v === true ? '1' : v === false ? '0' : String(v))

describe('no silent path', () => {
  it('every other fio key, with any value, is refused, noticed, or read as the fio reader reads it', () => {
    const values = fc.oneof(
      fc.boolean(),
      fc.integer({ min: -1, max: 9 }),
      fc.constantFrom('0', '1', 'yes', '', '4k', '1g', 'psync', 'libaio', 'io_uring', 'null', 'sync'),
    )
    fc.assert(
      fc.property(
        fc.constantFrom(...OTHER_FIO_KEYS),
        values,
        fc.constantFrom('read', 'write', 'randread', 'randwrite', 'randrw'),
        fc.integer({ min: 1, max: 16 }),
        (key, value, rw, iodepth) => {
          let read: ReturnType<typeof json> | undefined
          try {
            read = json({ rw, iodepth, [key]: value })
          } catch (error) {
            expect(error).toBeInstanceOf(SpecError)
            expect((error as SpecError).field).toBe(`jobs[0].${key}`)
            return
          }
          if (noticeOf(read.notices, `jobs[0].${key}`) !== undefined) return
          // Silent: the reader must take the same job and see nothing more in it. A JSON job is
          // asynchronous (libaio), direct and time-based unless its own options say otherwise.
          const fio = reader([
            `--rw=${rw}`,
            `--iodepth=${iodepth}`,
            '--ioengine=libaio',
            '--direct=1',
            '--time_based',
            `--${key}=${fioText(value)}`,
          ])
          expect(read.job.bssplit).toEqual(fio.job.bssplit)
          expect(read.job.iodepth).toBe(fio.job.iodepth)
          expect(fio.job.fio?.noIo).toBe(false)
          expect(fio.job.fio?.after).toEqual([])
          expect(fio.job.fio?.completeMin).toBeLessThanOrEqual(1)
        },
      ),
      { numRuns: 400 },
    )
  })
})

describe('the CLI', () => {
  async function cli(argv: string[], files: Record<string, string>) {
    const { io, out } = memoryIo({ files })
    const code = await main(argv, io)
    return { code, ...out }
  }
  const SPEC = JSON.stringify({ jobs: [{ name: 'a', rw: 'read', thread: 1 }] })

  it("explain prints a JSON spec's notices, as a job file's; --strict makes them errors", async () => {
    const shown = await cli(['explain', 's.json', '--json'], { 's.json': SPEC })
    expect(shown.code).toBe(0)
    expect(JSON.parse(shown.stdout).notices).toEqual([
      {
        option: 'jobs[0].thread',
        message: expect.stringMatching(/^no effect on bounce buffering: processes/),
      },
    ])
    const strict = await cli(['simulate', 's.json', '--strict'], { 's.json': SPEC })
    expect([strict.code, strict.stdout]).toEqual([1, ''])
    expect(strict.stderr).toMatch(
      /^dma-throttle: s\.json: `jobs\[0\]\.thread` has a notice, and --strict makes it an error: no effect on bounce buffering: processes.*\n$/,
    )
    const runtime = await cli(['explain', 's.json', '--runtime', '2s'], { 's.json': SPEC })
    expect(runtime.code).toBe(2)
    expect(runtime.stderr).toContain('--runtime go with a fio job file or alone')
  })
})

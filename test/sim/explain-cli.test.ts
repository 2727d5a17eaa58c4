import { describe, expect, it } from 'vitest'
import { LongRun, PROGRESS_EVERY_MS, wallEstimateMs } from '../../src/cli/commands/long-run.js'
import { main } from '../../src/cli/main.js'
import { fioPlanToSpec, readFio } from '../../src/sim/index.js'
import { memoryIo } from './cli-io.js'

const TWO_PHASES =
  '[global]\nioengine=libaio\ndirect=1\nbs=64k\nsize=1m\n[w]\nrw=write\niodepth=4\n[r]\nstonewall\nrw=read\n'

async function cli(argv: string[], files: Record<string, string> = {}, env: Record<string, string> = {}) {
  const { io, out } = memoryIo({ files, env })
  const code = await main(argv, io)
  return { code, ...out }
}

describe('dma-throttle explain', () => {
  it("--json prints exactly { phases: [{ jobs }], notices } with the issue's job fields", async () => {
    const { code, stdout, stderr } = await cli(['explain', 'two.fio', '--json'], { 'two.fio': TWO_PHASES })
    expect([code, stderr]).toEqual([0, ''])
    const e = JSON.parse(stdout)
    expect(Object.keys(e)).toEqual(['phases', 'notices'])
    expect(e.phases).toHaveLength(2)
    expect(e.phases[0].jobs[0]).toEqual({
      name: 'w',
      rw: 'write',
      numjobs: 1,
      iodepth: 4,
      timeBased: false,
      runtimeMs: null,
      sizeBytes: 1048576,
      rwmixread: 0,
      bs: { read: [[65536, 100]], write: [[65536, 100]] },
    })
    expect(e.phases[1].jobs[0]).toMatchObject({ name: 'r', iodepth: 1, rwmixread: 100 })
    expect(e.notices).toEqual([])
  })

  it('prints the phases as text', async () => {
    const { code, stdout } = await cli(['explain', 'two.fio'], { 'two.fio': TWO_PHASES })
    expect(code).toBe(0)
    expect(stdout.split('\n')[0]).toMatch(
      /^two\.fio: 2 phases, 2 jobs; 16 CPUs, 64 MiB pool, nvme0 \(nvme\); about .* simulated$/,
    )
    expect(stdout).toContain(
      'phase 2\n  r: read, 1 × depth 1, 1 MiB per clone; bs read 64 KiB, write 64 KiB\n    libaio; after w',
    )
  })

  it("reads fio's command line after --, and job files with includes", async () => {
    const args = await cli([
      'explain',
      '--json',
      '--',
      '--name=a',
      '--rw=randread',
      '--bs=4k',
      '--ioengine=io_uring',
      '--direct=1',
      '--iodepth',
      '16',
      '--size=1m',
    ])
    expect(args.code).toBe(0)
    expect(JSON.parse(args.stdout).phases[0].jobs[0]).toMatchObject({
      name: 'a',
      rw: 'randread',
      iodepth: 16,
    })
    const inc = await cli(['explain', 'dir/main.fio', '--json'], {
      'dir/main.fio': '[j]\nrw=read\ninclude depth.inc\n',
      'dir/depth.inc': 'ioengine=libaio\ndirect=1\niodepth=12\nsize=64k\n',
    })
    expect(JSON.parse(inc.stdout).phases[0].jobs[0].iodepth).toBe(12)
  })

  it('explains scenarios and JSON specs too', async () => {
    const { code, stdout } = await cli(['explain', 'coco-fio', '--json'])
    expect(code).toBe(0)
    const jobs = JSON.parse(stdout).phases[0].jobs
    expect(jobs.map((j: { name: string }) => j.name)).toEqual(['steady', 'burst'])
    expect(jobs[1]).toMatchObject({ iodepth: 32, numjobs: 8, timeBased: true, runtimeMs: 400 })
  })

  it('--runtime replaces every runtime; --strict turns notices into errors', async () => {
    const file = {
      'long.fio': '[j]\nioengine=libaio\ndirect=1\ntime_based\nruntime=900\nfilename=/dev/sdb\n',
    }
    const short = await cli(['explain', 'long.fio', '--json', '--runtime', '250ms'], file)
    expect(JSON.parse(short.stdout).phases[0].jobs[0].runtimeMs).toBe(250)
    const strict = await cli(['explain', 'long.fio', '--strict'], file)
    expect(strict.code).toBe(1)
    expect(strict.stdout).toBe('')
    expect(strict.stderr).toMatch(
      /^dma-throttle: long\.fio: `\[j\]\.filename` has a notice, and --strict makes it an error: no effect .* \(long\.fio:6\)\n$/,
    )
  })

  it.each([
    [['explain'], 2, 'explain takes a job file, a scenario or a spec'],
    [
      ['explain', 'x.fio', '--runtime', 'soon'],
      2,
      '--runtime expects a time like 10, 500ms or 2m, got "soon"',
    ],
    [
      ['explain', 'coco-fio', '--runtime', '1s'],
      2,
      'fio arguments after --, --strict and --runtime go with a fio job file or alone, not with "coco-fio"',
    ],
    [['explain', 'bad.fio'], 1, 'bad.fio: 2 problems: `[j].frobnicate` is not an option fio knows'],
    [['simulate', 'coco-fio', '--output-format', 'fio-json'], 2, '--output-format fio-json reports fio jobs'],
    [
      ['simulate', 'mixed.fio', '--output-format', 'fio-json'],
      2,
      '--output-format fio-json writes fio\'s split form (read, write, trim) only: job "j" sets unified_rw_reporting=mixed',
    ],
    [
      ['simulate', 'x.fio', '--output-format', 'xml'],
      2,
      '--output-format expects one of table, json, fio-json',
    ],
  ])('%j fails with one line', async (argv, code, message) => {
    const r = await cli(argv, {
      'x.fio': '[j]\nsize=4k\n',
      'bad.fio': '[j]\nfrobnicate=1\nread_iolog=x\n',
      'mixed.fio': '[global]\nunified_rw_reporting=mixed\n[j]\nsize=4k\n',
    })
    expect(r.code).toBe(code)
    expect(r.stdout).toBe('')
    expect(r.stderr.startsWith(`dma-throttle: ${message}`)).toBe(true)
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
  })
})

describe('long runs', () => {
  it('simulate --output-format fio-json runs a job file and prints fio documents', async () => {
    const r = await cli(['simulate', 'two.fio', '--output-format', 'fio-json', '--policies', 'throttle'], {
      'two.fio': TWO_PHASES,
    })
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(
      doc.jobs.map((j: { jobname: string; write: { total_ios: number }; read: { total_ios: number } }) => [
        j.jobname,
        j.write.total_ios,
        j.read.total_ios,
      ]),
    ).toEqual([
      ['w', 16, 0],
      ['r', 0, 16],
    ])
  })

  it('says on stderr that an engine without block I/O (ioengine=null) maps nothing and counts no I/Os', async () => {
    const r = await cli(['simulate', 'n.fio', '--output-format', 'fio-json', '--policies', 'throttle'], {
      'n.fio': '[n]\nioengine=null\nrw=read\nsize=64k\nruntime=10ms\ntime_based\n',
    })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('job "n": ioengine=null does no block I/O')
    expect(JSON.parse(r.stdout).jobs[0].read.total_ios).toBe(0)
  })

  it('prints a wall-time estimate first, then a line every few seconds when stderr is not a terminal', () => {
    const plan = readFio({
      files: [
        {
          name: 'f.fio',
          text: '[j]\nioengine=libaio\ndirect=1\niodepth=16\nnumjobs=4\ntime_based\nruntime=900\n',
        },
      ],
    })
    const spec = fioPlanToSpec(plan, { name: 'f' })
    expect(wallEstimateMs(spec)).toBeGreaterThan(60_000)
    const { io, out } = memoryIo()
    let now = 0
    const long = new LongRun(io, spec, () => now)
    expect(out.stderr).toMatch(
      /^dma-throttle: about [\d,]+ I\/Os per policy over 900 s simulated, 5 policies: expect about \d+ min \(--runtime shortens fio jobs\)\n$/,
    )
    const before = out.stderr
    long.update(0.1, 'f · fail')
    now = PROGRESS_EVERY_MS - 1
    long.update(0.2, 'f · fail')
    expect(out.stderr).toBe(before) // not yet
    now = PROGRESS_EVERY_MS
    long.update(0.25, 'f · rfc')
    expect(out.stderr.slice(before.length)).toBe('dma-throttle: 25% after 5 s, about 15 s left, f · rfc\n')
  })

  it('prints no estimate for a short run, and no line on a terminal', () => {
    const plan = readFio({ files: [{ name: 's.fio', text: '[j]\nsize=64k\n' }] })
    const { io, out } = memoryIo({ isTTY: true })
    let now = 0
    const long = new LongRun(io, fioPlanToSpec(plan, { name: 's' }), () => now)
    now = 60_000
    long.update(0.5, 's')
    expect(out.stderr).toBe('')
  })
})

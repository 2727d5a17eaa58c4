import { describe, expect, it } from 'vitest'
import {
  JobClone,
  Nvme,
  parseBssplit,
  parseSpec,
  readFioJobFile,
  SpecError,
  specFromFioJobFile,
} from '../../src/sim/index.js'
import { makeContext, NVME } from './harness.js'

const ctx = { cpus: 8, runtimeMs: 1000, devices: ['nvme0', 'sda'] }
const spec = (jobs: unknown[], extra: Record<string, unknown> = {}) =>
  parseSpec({
    cpus: 8,
    devices: [
      { name: 'nvme0', type: 'nvme' },
      { name: 'sda', type: 'scsi' },
      { name: 'eth0', type: 'nic' },
    ],
    jobs,
    ...extra,
  })

/** The SpecError a spec throws, so tests can check the field and the message. */
function rejection(make: () => unknown): SpecError {
  try {
    make()
  } catch (error) {
    if (error instanceof SpecError) return error
    throw error
  }
  throw new Error('expected a SpecError')
}

describe('fio jobs from JSON', () => {
  it('fills in fio defaults', () => {
    const [job] = spec([{ name: 'j' }]).jobs
    expect(job).toEqual({
      name: 'j',
      device: 'nvme0',
      rw: 'read',
      rwmixread: 50,
      bssplit: [{ bytes: 4096, weight: 100 }],
      iodepth: 1,
      numjobs: 1,
      rateIops: undefined,
      runtimeMs: 1000,
      startDelayMs: 0,
      startDelaySpreadMs: 0,
      rateProcess: 'linear',
      cpus: undefined,
      continueOnError: 'none',
    })
    void ctx
  })

  it('reads every supported option', () => {
    const [job] = spec([
      {
        name: 'mix',
        device: 'sda',
        rw: 'randrw',
        rwmixread: 70,
        bssplit: '4k/50:64k/30:1m/20',
        iodepth: 32,
        numjobs: 4,
        rate_iops: 500,
        runtime: '250ms',
        startdelay: 0.1,
        cpus_allowed: '0-2,5',
        continue_on_error: 'io',
      },
    ]).jobs
    expect(job).toMatchObject({
      device: 'sda',
      rw: 'randrw',
      rwmixread: 70,
      bssplit: [
        { bytes: 4096, weight: 50 },
        { bytes: 65536, weight: 30 },
        { bytes: 1048576, weight: 20 },
      ],
      iodepth: 32,
      numjobs: 4,
      rateIops: 500,
      runtimeMs: 250,
      startDelayMs: 100,
      startDelaySpreadMs: 0,
      rateProcess: 'linear',
      cpus: [0, 1, 2, 5],
      continueOnError: 'io',
    })
  })

  it("maps fio's filename to a device and rwmixwrite to rwmixread", () => {
    const [a, b] = spec([
      { name: 'a', filename: '/dev/nvme0n1', rw: 'rw', rwmixwrite: 25 },
      { name: 'b', filename: '/dev/sda' },
    ]).jobs
    expect([a!.device, a!.rwmixread, b!.device]).toEqual(['nvme0', 75, 'sda'])
  })

  it('shares what bssplit entries without a percentage leave', () => {
    expect(parseBssplit('bssplit', '4k/50:64k:128k')).toEqual([
      { bytes: 4096, weight: 50 },
      { bytes: 65536, weight: 25 },
      { bytes: 131072, weight: 25 },
    ])
  })

  it.each([
    [
      { iodepth: 0 },
      'jobs[0].iodepth',
      'Expected `jobs[0].iodepth` to be a whole number in [1, 65536], got 0 (number)',
    ],
    [{ iodepth: 'deep' }, 'jobs[0].iodepth', 'got "deep" (string)'],
    [{ rw: 'trim' }, 'jobs[0].rw', 'got "trim" (string)'],
    [{ bs: '4q' }, 'jobs[0].bs', 'got "4q" (string)'],
    [{ bssplit: '4k/60:64k/60' }, 'jobs[0].bssplit', 'percentages that add up to 100'],
    [{ rwmixread: 101 }, 'jobs[0].rwmixread', 'got 101 (number)'],
    [{ numjobs: -1 }, 'jobs[0].numjobs', 'got -1 (number)'],
    [{ rate_iops: 0 }, 'jobs[0].rate_iops', 'got 0 (number)'],
    [{ runtime: 'soon' }, 'jobs[0].runtime', 'got "soon" (string)'],
    [{ runtime: 0 }, 'jobs[0].runtime', 'a duration > 0'],
    [{ startdelay: '-1s' }, 'jobs[0].startdelay', 'got "-1s" (string)'],
    [{ cpus_allowed: '0-99' }, 'jobs[0].cpus_allowed', 'CPUs within 0-7'],
    [{ device: 'eth0' }, 'jobs[0].device', 'a block device of the machine (nvme0, sda)'],
    [{ verify: 'crc32c' }, 'jobs[0].verify', 'a supported fio option'],
    [{ continue_on_error: 'maybe' }, 'jobs[0].continue_on_error', 'got "maybe" (string)'],
  ])('rejects %j by name', (bad, field, message) => {
    const error = rejection(() => spec([{ name: 'j', ...bad }]))
    expect(error.field).toBe(field)
    expect(error.code).toBe('ERR_SIM_SPEC')
    expect(error.message).toContain(`\`${field}\``)
    expect(error.message).toContain(message)
  })

  it.each([
    [{ pool: { size: '32M', areas: 3 } }, 'pool.areas'],
    [{ pool: '1K' }, 'pool.size'],
    [{ cpus: 0 }, 'cpus'],
    [{ policies: ['fail', 'magic'] }, 'policies[1]'],
    [{ tuning: { high: 2 } }, 'tuning.high'],
    [{ tuning: { growCost: { fixedMs: -1 } } }, 'tuning.growCost.fixedMs'],
    [{ hogs: [{ bytes: 'lots' }] }, 'hogs[0].bytes'],
    [{ devices: [{ name: 'x', type: 'floppy' }] }, 'devices[0].type'],
    [{ devices: [{ name: 'x', type: 'nvme', queueDepth: 0 }] }, 'devices[0].queueDepth'],
    [{ surprise: 1 }, 'spec.surprise'],
  ])('rejects the spec %j by name', (bad, field) => {
    const error = rejection(() => parseSpec({ jobs: [{ name: 'j' }], ...bad }))
    expect(error.field).toBe(field)
  })

  it('takes the run time from the jobs when the spec gives none', () => {
    const s = spec([
      { name: 'a', runtime: '300ms' },
      { name: 'b', runtime: '1s', startdelay: '1s' },
    ])
    expect(s.runtimeMs).toBe(2000)
  })
})

describe('fio job files', () => {
  const file = `
; a comment
[global]
ioengine=libaio   # ignored: nothing a DMA pool can see
direct=1
time_based
runtime=500ms
bs=128k
iodepth=16

[randread]
rw=randread
numjobs=4

[writer]
rw=write
bssplit=4k/50:1m/50
startdelay=200ms
`
  it('reads sections, [global] defaults, flags, comments and units', () => {
    const raws = readFioJobFile(file)
    expect(raws.map((r) => r['name'])).toEqual(['randread', 'writer'])
    const s = specFromFioJobFile(file, 'file')
    expect(s.name).toBe('file')
    expect(s.jobs.map((j) => [j.name, j.rw, j.iodepth, j.numjobs, j.runtimeMs, j.startDelayMs])).toEqual([
      ['randread', 'randread', 16, 4, 500, 0],
      ['writer', 'write', 16, 1, 500, 200],
    ])
    expect(s.jobs[0]!.bssplit).toEqual([{ bytes: 131072, weight: 100 }])
    // The run lasts until the last job ends: the writer starts at 200 ms and runs 500 ms.
    expect(s.runtimeMs).toBe(700)
  })

  it('names a bad value by its section and key', () => {
    const error = rejection(() => specFromFioJobFile('[randread]\nrw=randread\niodepth=lots\n'))
    expect(error.message).toBe(
      'Expected `[randread].iodepth` to be a whole number from 1 to 65536, got "lots" (job-file.fio:3)',
    )
  })

  it('rejects options it does not know, and lines outside a section', () => {
    expect(rejection(() => specFromFioJobFile('[j]\nfrobnicate=md5\n')).field).toBe('job-file.fio:2')
    expect(rejection(() => readFioJobFile('bs=4k\n[j]\n')).field).toBe('line 1')
    expect(rejection(() => readFioJobFile('[global]\nbs=4k\n')).field).toBe('job file')
  })
})

describe('job clones', () => {
  const job = {
    name: 'j',
    device: 'nvme0',
    rw: 'read' as const,
    rwmixread: 50,
    bssplit: [{ bytes: 4096, weight: 100 }],
    iodepth: 4,
    numjobs: 1,
    rateIops: undefined as number | undefined,
    runtimeMs: 100,
    startDelayMs: 0,
    startDelaySpreadMs: 0,
    rateProcess: 'linear' as 'linear' | 'poisson',
    cpus: undefined,
    continueOnError: 'none' as 'none' | 'io',
  }

  it('issues at rate_iops', async () => {
    const { clock, ctx, measures } = makeContext({ endMs: 100 })
    const nvme = new Nvme(NVME, ctx)
    await Promise.all([new JobClone({ ...job, rateIops: 1000 }, 0, 0, nvme, ctx).run(), clock.runAll()])
    expect(measures.total('ios')).toBe(100)
  })

  it('keeps at most iodepth I/Os in flight', async () => {
    const { clock, ctx, dma } = makeContext({ endMs: 10 })
    let maxLive = 0
    dma.events$.subscribe(() => {
      maxLive = Math.max(maxLive, dma.stats().liveMappings)
    })
    const nvme = new Nvme(NVME, ctx)
    await Promise.all([new JobClone(job, 0, 0, nvme, ctx).run(), clock.runAll()])
    expect(maxLive).toBe(4)
  })

  it('stops at its first I/O error like fio, unless continue_on_error says otherwise', async () => {
    const run = async (continueOnError: 'none' | 'io') => {
      const { clock, ctx, dma, measures } = makeContext({ size: '256K', endMs: 10 })
      await dma.map(200 * 1024) // leaves less than 64 KiB
      const nvme = new Nvme(NVME, ctx)
      const big = { ...job, bssplit: [{ bytes: 65536, weight: 100 }], continueOnError }
      await Promise.all([new JobClone(big, 0, 0, nvme, ctx).run(), clock.runAll()])
      return measures.total('ioErrors')
    }
    expect(await run('none')).toBe(4) // the I/Os in flight when the first error came back
    expect(await run('io')).toBe(400) // 4 at a time, one latency (100 µs) each, for 10 ms
  })
})

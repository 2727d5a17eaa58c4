import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  type CloneStats,
  fioPlanToSpec,
  type PolicyName,
  readFio,
  runSpec,
  type SimResult,
} from '../../src/sim/index.js'

// What fio jobs do when they run, on virtual time; each expectation follows the HOWTO section named.
const DIR = join(import.meta.dirname, 'fio-jobs')
const fileText = (file: string) => readFileSync(join(DIR, file), 'utf8')

interface Run {
  result: SimResult
  /** Per job name: I/Os and bytes by direction, summed over its clones. */
  jobs: Record<
    string,
    { read: number; write: number; trim: number; readBytes: number; writeBytes: number; stats: CloneStats[] }
  >
}

async function run(
  text: string,
  options: { pool?: string; policy?: PolicyName; runtimeMs?: number } = {},
): Promise<Run> {
  const plan = readFio(
    { files: [{ name: 'test.fio', text }] },
    options.runtimeMs === undefined ? {} : { runtimeMs: options.runtimeMs },
  )
  const spec = fioPlanToSpec(plan, {
    name: 'test',
    ...(options.pool === undefined ? {} : { pool: options.pool }),
  })
  const policy = options.policy ?? 'throttle'
  const result = await runSpec(spec, { policies: [policy] })
  const jobs: Run['jobs'] = {}
  for (const s of result.series[policy]!.jobs!) {
    jobs[s.job] ??= { read: 0, write: 0, trim: 0, readBytes: 0, writeBytes: 0, stats: [] }
    const j = jobs[s.job]!
    j.read += s.directions.read.ios
    j.write += s.directions.write.ios
    j.trim += s.directions.trim.ios
    j.readBytes += s.directions.read.bytes
    j.writeBytes += s.directions.write.bytes
    j.stats.push(s)
  }
  return { result, jobs }
}

describe('the six cases of issue 16', () => {
  it('stonewall: the phases run one after the other, so a pool that holds one phase has no error', async () => {
    const text = fileText('issue-two-phases.fio')
    const phased = await run(text, { pool: '24M', policy: 'fail' })
    expect(phased.result.policies.fail!.ioErrors).toBe(0)
    const [w] = phased.jobs['writers']!.stats
    const [r] = phased.jobs['readers']!.stats
    expect(r!.startMs).toBeGreaterThanOrEqual(w!.endMs) // the readers start once the writers exited
    // Without the stonewall both phases run at once: 32 MiB wanted in a 24 MiB pool.
    const together = await run(text.replace(/^stonewall$/m, ''), { pool: '24M', policy: 'fail' })
    expect(together.result.policies.fail!.ioErrors).toBeGreaterThan(0)
  })

  it('psync with iodepth=64 keeps one I/O in flight (HOWTO "iodepth")', async () => {
    const { result, jobs } = await run(fileText('issue-psync-depth.fio'))
    expect(result.policies.throttle!.hiwater.exact).toBe(128 * 1024)
    expect([...jobs['psync']!.stats[0]!.depthCounts.keys()]).toEqual([1])
  })

  it('size=1m without time_based is 8 I/Os of 128 KiB, and the run ends with the job', async () => {
    const { result, jobs } = await run(fileText('issue-size-1m.fio'))
    expect(jobs['sized']).toMatchObject({ read: 8, readBytes: 1 << 20 })
    expect(result.policies.throttle!.ios).toBe(8)
    expect(result.runtimeMs).toBeLessThan(2) // a few hundred µs of device time, not a default second
  })

  it('runtime=200ms: the job runs 200 ms and IOPS are counted over those 200 ms', async () => {
    const { result, jobs } = await run(fileText('issue-runtime-200ms.fio'))
    const p = result.policies.throttle!
    expect(result.runtimeMs).toBeGreaterThanOrEqual(200)
    expect(result.runtimeMs).toBeLessThan(201)
    expect(p.iops).toBe(Math.round(p.ios / (result.runtimeMs / 1000)))
    const s = jobs['short']!.stats[0]!
    expect(s.endMs - s.startMs).toBeCloseTo(200, 0)
  })

  it('direct=0 is buffered I/O: libaio reads one page at a time, not 32 at once', async () => {
    const { result, jobs } = await run(fileText('issue-direct-0.fio'))
    expect(jobs['buffered']!.read).toBe(64)
    expect(result.policies.throttle!.hiwater.exact).toBe(4096)
    const plan = readFio({ files: [{ name: 'issue-direct-0.fio', text: fileText('issue-direct-0.fio') }] })
    expect(plan.notices.find((n) => n.option === 'direct')?.message).toMatch(
      /^buffered I\/O \(direct=0\) is modelled/,
    )
  })

  it('runtime=900 is 900 s, and --runtime shortens every job', async () => {
    const plan = readFio({ files: [{ name: 'f.fio', text: fileText('issue-runtime-900.fio') }] })
    expect(plan.phases[0]!.jobs[0]!.runtimeMs).toBe(900_000)
    expect(fioPlanToSpec(plan, { name: 'f' }).runtimeMs).toBe(900_000)
    const short = await run(fileText('issue-runtime-900.fio'), { runtimeMs: 5 })
    expect(short.result.runtimeMs).toBeLessThan(6)
    expect(short.jobs['starter']!.stats).toHaveLength(4)
  })
})

describe('fio semantics on virtual time', () => {
  it('"ramp_time": I/O during the ramp is not in the statistics; the runtime follows it', async () => {
    const { result, jobs } = await run(fileText('ramp.fio'))
    const s = jobs['ramp']!.stats[0]!
    expect(s.startMs).toBe(50)
    expect(s.endMs).toBeGreaterThanOrEqual(150)
    expect(jobs['ramp']!.read).toBe(100) // rate_iops=1000 for the 100 ms after the ramp
    expect(result.policies.throttle!.ios).toBe(150) // the device saw the ramp's I/Os too
  })

  it('"I/O rate": caps per direction, by bytes and by count; an uncapped direction runs free', async () => {
    const { jobs } = await run(fileText('rates.fio'))
    expect(jobs['bytes']).toMatchObject({ read: 100, write: 50 }) // 400 KiB/s and 200 KiB/s of 4 KiB
    expect(jobs['iops']!.read).toBe(500)
    expect(jobs['writes-only']!.write).toBe(25) // 100 KiB/s of 4 KiB writes
    expect(jobs['writes-only']!.read).toBeGreaterThan(1000)
    expect(jobs['poisson']!.read).toBeGreaterThan(430)
    expect(jobs['poisson']!.read).toBeLessThan(570)
  })

  it('rate_ignore_thinktime: no catch-up burst after a pause', async () => {
    const text = fileText('rates.fio')
    const ignoring = (await run(text)).jobs['ignore-think']!.read
    const catching = (await run(text.replace('rate_ignore_thinktime=1', 'rate_ignore_thinktime=0'))).jobs[
      'ignore-think'
    ]!.read
    // 10 I/Os per 20 ms pause: without catch-up the pauses cost their time; with it fio bursts.
    expect(catching).toBeGreaterThan(ignoring)
    expect(catching).toBeLessThanOrEqual(1001)
  })

  it('"thinktime": the queue drains, then the job pauses', async () => {
    const { jobs } = await run(fileText('thinktime.fio'))
    const each = jobs['each']!.read
    expect(each).toBeGreaterThan(95) // 10 ms after every I/O: about 1000 / 10.1
    expect(each).toBeLessThanOrEqual(100)
    expect(jobs['blocks']!.read).toBeGreaterThan(16 * 80) // 16 I/Os per 10 ms pause
    expect(jobs['issue']!.read).toBeGreaterThan(16 * 80)
    // thinktime_iotime=400ms, thinktime=100ms: I/O for 400 ms, pause 100 ms, I/O for the rest.
    const iotime = jobs['iotime']!.read
    expect(iotime).toBeGreaterThan(jobs['each']!.read * 10)
  })

  it('"startdelay" ranges, "loops", and every clone of numjobs', async () => {
    const phases = await run(fileText('phases.fio'))
    const b = phases.jobs['b']!.stats[0]!
    expect(b.startMs).toBeGreaterThanOrEqual(10)
    expect(b.startMs).toBeLessThanOrEqual(30)
    const bounds = await run(fileText('bounds.fio'))
    expect(bounds.jobs['loops']!.read).toBe(12) // 256 KiB of 64 KiB reads, 3 times
    expect(bounds.jobs['io_size']!.read).toBe(48)
    expect(bounds.jobs['filesize']!.read).toBe(16)
    expect(bounds.jobs['number_ios']!.read).toBe(5)
    expect(bounds.jobs['size']!.read).toBe(16)
  })

  it('"wait_for" and "stonewall" order the phases; the run ends when the last job does', async () => {
    const { result, jobs } = await run(fileText('phases.fio'))
    const end = (name: string) => jobs[name]!.stats[0]!.endMs
    const start = (name: string) => jobs[name]!.stats[0]!.startMs
    expect(start('c')).toBeGreaterThanOrEqual(Math.max(end('a'), end('b')))
    expect(start('e')).toBeGreaterThanOrEqual(end('c'))
    expect(start('f')).toBeGreaterThanOrEqual(Math.max(end('a'), end('b'), end('c'), end('d'), end('e')))
    expect(result.runtimeMs).toBe(end('f'))
  })

  it('"Verification": written blocks are read back, after the loop or by backlog', async () => {
    const { jobs } = await run(fileText('verify.fio'))
    expect(jobs['verify']).toMatchObject({ write: 16, read: 16 })
    expect(jobs['no-read-back']).toMatchObject({ write: 16, read: 0 })
    expect(jobs['backlog']).toMatchObject({ write: 256, read: 256 })
    expect(jobs['only']).toMatchObject({ write: 0, read: 16 })
    expect(jobs['timed']!.read).toBe(0)
  })

  it('verify_pattern without verify turns verify on (verify=pattern): the writes are read back', async () => {
    // options.c str_verify_pattern_cb: `if (!fio_option_is_set(&td->o, verify)) td->o.verify =
    // VERIFY_PATTERN`; fio 3.42 with ioengine=null, rw=write, size=64k, verify_pattern=0xff reads 64 KiB.
    const text = [
      '[global]\nioengine=libaio\ndirect=1\nrw=write\nbs=64k\nsize=1m',
      '[pattern]\nverify_pattern=0xff',
      '[pattern-format]\nverify_pattern=%o',
      '[verify-off-before]\nverify=0\nverify_pattern=0xff',
      '[verify-off-after]\nverify_pattern=0xff\nverify=none',
      '[no-read-back]\nverify_pattern=0xff\ndo_verify=0',
      '[buffer-pattern]\nbuffer_pattern=0xff',
    ].join('\n')
    const { jobs } = await run(text)
    expect(jobs['pattern']).toMatchObject({ write: 16, read: 16 })
    expect(jobs['pattern-format']).toMatchObject({ write: 16, read: 16 })
    expect(jobs['verify-off-before']).toMatchObject({ write: 16, read: 0 })
    expect(jobs['verify-off-after']).toMatchObject({ write: 16, read: 0 })
    expect(jobs['no-read-back']).toMatchObject({ write: 16, read: 0 })
    expect(jobs['buffer-pattern']).toMatchObject({ write: 16, read: 0 })
    const notices = readFio({ files: [{ name: 'a.fio', text }] }).notices
    expect(notices.filter((n) => n.option === 'verify_pattern').map((n) => n.message)).toContain(
      'verify_pattern without verify turns verify on, as fio does (verify=pattern): the written data is read back',
    )
  })

  it('"Block size" per direction: reads and writes of their own sizes', async () => {
    const { jobs } = await run(fileText('block-sizes.fio'))
    const pair = jobs['pair']!
    expect(pair.readBytes).toBe(pair.read * 8192)
    expect(pair.writeBytes).toBe(pair.write * 32768)
    // I/Os that would overshoot the size are not issued (HOWTO "size": fio "will run until this many
    // bytes has been transferred").
    expect(pair.readBytes + pair.writeBytes).toBeLessThanOrEqual(1 << 20)
    expect(pair.readBytes + pair.writeBytes).toBeGreaterThan((1 << 20) - 32768)
  })

  it('rwmixread: the share of reads', async () => {
    const { jobs } = await run(
      '[m]\nioengine=libaio\ndirect=1\nrw=randrw\nrwmixread=70\nbs=4k\nsize=16m\niodepth=8\n',
    )
    const m = jobs['m']!
    expect(m.read + m.write).toBe(4096)
    expect(m.read / 4096).toBeGreaterThan(0.66)
    expect(m.read / 4096).toBeLessThan(0.74)
  })

  it('trimwrite: each block trimmed, then written; a trim maps only its range', async () => {
    const { result, jobs } = await run(
      '[t]\nioengine=libaio\ndirect=1\nrw=trimwrite\nbs=64k\nsize=1m\niodepth=1\n',
    )
    expect(jobs['t']).toMatchObject({ trim: 16, write: 16 })
    expect(result.policies.throttle!.hiwater.exact).toBe(64 * 1024)
  })

  it('"exitall": the first clone to finish ends the rest of its group', async () => {
    const { jobs } = await run(fileText('errors-exit.fio'))
    const long = jobs['long']!.stats[0]!
    expect(long.endMs).toBeLessThan(1000) // a 10 s time_based job, ended with [short]
    expect(jobs['later']!.stats[0]!.startMs).toBeGreaterThanOrEqual(long.endMs)
  })

  it('"flow": jobs in one flow group keep their I/O in the ratio of their weights', async () => {
    const { jobs } = await run(fileText('flow.fio'))
    const ratio = jobs['heavy']!.read / jobs['light']!.write
    expect(ratio).toBeGreaterThan(2.7)
    expect(ratio).toBeLessThan(3.3)
  })

  it('iodepth_low: a full queue drains to the low mark before it refills', async () => {
    const { jobs } = await run(fileText('depth.fio'))
    const depths = [...jobs['low']!.stats[0]!.depthCounts.keys()].sort((a, b) => a - b)
    expect(Math.max(...depths)).toBe(32)
    // After the first fill the queue refills from 8: depths 9…32 when issuing, never 2…8 again.
    expect(jobs['low']!.stats[0]!.depthCounts.get(2)).toBe(1)
  })

  it('"group_reporting": the clones of a group are one statistics entry', async () => {
    const { jobs } = await run(fileText('reporting.fio'))
    expect(jobs['renamed']!.stats).toHaveLength(1)
    expect(jobs['renamed']!.stats[0]!.members).toHaveLength(2)
  })

  it('buffered sequential writes reach the device as 256 KiB writeback, 8 at a time', async () => {
    const { result } = await run('[w]\nioengine=libaio\nrw=write\nbs=4k\nsize=8m\niodepth=1\n')
    expect(result.policies.throttle!.hiwater.exact).toBe(8 * 256 * 1024)
  })

  it('engines without block I/O keep their place in the phases and map nothing', async () => {
    const text =
      '[cpu]\nioengine=cpuio\ncpuload=50\ntime_based\nruntime=40ms\n[disk]\nstonewall\nioengine=libaio\ndirect=1\nsize=64k\n'
    const { result, jobs } = await run(text)
    expect(jobs['cpu']!.read).toBe(0)
    expect(jobs['disk']!.stats[0]!.startMs).toBeGreaterThanOrEqual(40)
    expect(result.policies.throttle!.ios).toBe(16)
  })
})

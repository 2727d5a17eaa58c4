import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseArgs } from '../../src/cli/args.js'
import { main } from '../../src/cli/main.js'
import { bootParameter } from '../../src/sim/index.js'
import { diskIo } from './cli-io.js'

const DIR = mkdtempSync(join(tmpdir(), 'dma-throttle-trace-cli-'))
const FIXTURE = join(import.meta.dirname, 'fixtures', 'blkparse-default.txt')

const SPEC = JSON.stringify({
  name: 'cli-trace',
  cpus: 4,
  pool: '8M',
  runtime: '20ms',
  devices: [{ name: 'nvme0', type: 'nvme' }],
  jobs: [{ name: 'j', rw: 'randread', bs: '64k', iodepth: 8, numjobs: 4 }],
  policies: ['throttle', 'fail'],
})

async function run(argv: string[]) {
  const { io, out } = diskIo()
  const code = await main(argv, io)
  return { code, ...out }
}

describe('simulate --trace-out, replay and size on the trace', () => {
  const spec = join(DIR, 'spec.json')
  const trace = join(DIR, 'out.trace')
  writeFileSync(spec, SPEC)

  it('writes the first policy’s maps and unmaps with the header and the pool, then replays them', async () => {
    const sim = await run(['simulate', spec, '--json', '--trace-out', trace])
    expect(sim.code).toBe(0)
    const simulated = JSON.parse(sim.stdout).policies.throttle
    const text = readFileSync(trace, 'utf8').split('\n')
    expect(text.slice(0, 3)).toEqual([
      '# dma-throttle-trace v1',
      '# simulate cli-trace, policy throttle, seed 1',
      '# pool 8388608 bytes, 4 areas',
    ])
    expect(text[3]).toMatch(/^\d+ -1 map nvme0 65536 65536 2 1 0x[0-9a-f]+$/)
    expect(sim.stderr).toMatch(
      new RegExp(`trace of throttle \\(${simulated.ios} maps, ${simulated.ios} unmaps\\) written to `),
    )

    const replay = await run(['replay', trace, '--json', '--policies', 'throttle,fail'])
    expect(replay.code).toBe(0)
    const out = JSON.parse(replay.stdout)
    expect(out).toMatchObject({ trace: 'out.trace', format: 'capture', poolBytes: 8388608, areas: 4 })
    expect(out.events).toBe(2 * simulated.ios)
    expect(Object.keys(out.policies)).toEqual(['throttle', 'fail'])
    expect(out.policies.throttle.hiwater.exact).toBe(simulated.hiwater.exact)
    expect(out.policies.throttle.ios).toBe(simulated.ios)

    const text2 = await run(['replay', trace, '--pool', '1M', '--policies', 'fail,throttle'])
    expect(text2.code).toBe(0)
    expect(text2.stdout).toMatch(
      /^out\.trace: capture, [\d,]+ events over .+, replayed on 1\.0 MiB in 4 areas\n/,
    )
    expect(text2.stdout).toMatch(/\nfail +[\d,]+ +[1-9][\d,]* /) // fail: I/O errors at 1 MiB
    expect(text2.stdout).toMatch(/\nthrottle +[\d,]+ +0 +0 /) // throttle: none, nothing stuck
  })

  it('--may-block naming a device the trace never maps says it has no effect, on stderr', async () => {
    if (!existsSync(trace)) await run(['simulate', spec, '--json', '--trace-out', trace])
    const notice =
      '--may-block: the trace maps no device "nvmeX", so it has no effect (devices in the trace: nvme0)\n'
    for (const command of ['replay', 'size']) {
      const wrong = await run([command, trace, '--may-block', 'nvme0,nvmeX', '--policies', 'fail'])
      expect([wrong.code, wrong.stderr.endsWith(notice)]).toEqual([0, true])
      const right = await run([command, trace, '--may-block', 'nvme0', '--policies', 'fail'])
      expect([right.code, right.stderr]).toEqual([0, ''])
    }
  })
  it('size on a trace: size <scenario>’s answer per policy and the swiotlb= line the kernel boots with', async () => {
    const r = await run(['size', trace, '--json', '--policies', 'fail,throttle'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    // The header names 4 areas; the trace has no CPU numbers (-1), so the swiotlb= line is for 4 CPUs.
    expect(out).toMatchObject({ trace: 'out.trace', format: 'capture', areas: 4, cpus: 4, maxWaitMs: null })
    const fail = out.policies.fail
    expect(fail.minPoolBytes).toBeGreaterThanOrEqual(out.peakBytes)
    expect(fail.minPoolBytes % (4 * 256 * 1024)).toBe(0) // whole segments in each of 4 areas
    expect(fail.bootParameter).toBe(bootParameter(fail.minPoolBytes, 4, 4).parameter)
    expect(out.policies.throttle.minPoolBytes).toBeLessThanOrEqual(fail.minPoolBytes)
    const text = await run(['size', trace, '--policies', 'fail'])
    expect(text.stdout).toMatch(
      /^out\.trace: capture, [\d,]+ events over .+, 4 CPUs assumed: pools of 4 areas\n/,
    )
    expect(text.stdout).toContain(`\nfail  ${fail.bootParameter}   (`)
    expect(text.stdout).toContain('one replay per pool size (a replay is deterministic: no seeds)')
    expect(text.stdout).toContain('It is one deterministic run, so there is no spread over seeds to bound')
    // No wait allowed: the throttle's budget (70 % of the pool) must hold the trace's peak.
    const bounded = await run(['size', trace, '--json', '--policies', 'throttle', '--max-wait-ms', '0'])
    const throttle = JSON.parse(bounded.stdout).policies.throttle.minPoolBytes
    expect(throttle).toBeGreaterThanOrEqual(out.peakBytes / 0.7)
  })

  it('hiwater on a trace: exact, sampled ÷ exact over sampler phases, per-area sum ÷ exact', async () => {
    const r = await run(['hiwater', trace, '--json', '--areas', '1,4', '--intervals', '0.1,1000'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    const replayed = JSON.parse((await run(['replay', trace, '--json', '--policies', 'fail'])).stdout)
    const exact = replayed.policies.fail.hiwater.exact
    expect(out).toMatchObject({ trace: 'out.trace', policy: 'fail', poolBytes: 8388608, offsets: 8 })
    expect(out.exact).toEqual([
      { areas: 1, bytes: exact, ioErrors: 0 },
      { areas: 4, bytes: exact, ioErrors: 0 },
    ])
    expect(out.sampled.map((s: { intervalMs: number }) => s.intervalMs)).toEqual([0.1, 1000])
    // A sampler reading every second of a 20 ms trace reads at 0 only (phase 0) or never (others).
    expect(out.sampled[1]).toEqual({ intervalMs: 1000, mean: 0, worst: 0 })
    expect(out.perAreaSum[0]).toEqual({ areas: 1, ratio: 1 })
    const text = await run(['hiwater', trace, '--areas', '1,4'])
    expect(text.stdout).toContain('fail: one replay per area count (2: 1, 4); a replay is deterministic')
    expect(text.stdout).toMatch(/\n1000 ms +0\.000× +0\.000×\n/)
    expect((await run(['hiwater', trace, '--policies', 'fail,throttle'])).code).toBe(2)
    expect((await run(['hiwater', trace, '--areas', '64'])).stderr).toMatch(/--areas: .*got 64/)
  })

  it('refuses on a trace the flags that do not apply to a replay, saying why', async () => {
    const seeds = await run(['size', trace, '--seeds', '3'])
    expect(seeds.code).toBe(2)
    expect(seeds.stderr).toMatch(/size on a trace does not take --seeds: a replay is deterministic/)
    const pct = await run(['size', trace, '--min-throughput', '90'])
    expect(pct.code).toBe(2)
    expect(pct.stderr).toMatch(/every healthy pool moves the same bytes in the same time/)
    expect((await run(['hiwater', trace, '--seed', '2'])).stderr).toMatch(
      /hiwater on a trace does not take --seed:/,
    )
    expect((await run(['replay', trace, '--jobs', '2'])).stderr).toMatch(/replay does not take --jobs/)
    expect((await run(['replay', trace, '--intervals', '1'])).code).toBe(2)
  })

  it('replays blkparse output', async () => {
    const r = await run(['replay', FIXTURE, '--policies', 'fail', '--pool', '1M'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('blkparse-default.txt: blkparse, 12 events')
    expect(r.stdout).toContain('maps never unmapped: 8,0 1')
    expect(r.stdout).toContain('unmaps of no map: 8,0 1')
  })

  it('ftrace needs a hold time; --hold-ms and --hold-from give one', async () => {
    const ft = join(DIR, 'ft.txt')
    writeFileSync(
      ft,
      '# tracer: nop\n  fio-7 [001] ..... 10.000100: swiotlb_bounced: dev_name: 0000:00:04.0 dma_mask=ffffffff dev_addr=10 size=4096\n',
    )
    const missing = await run(['replay', ft])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(
      /ft\.txt: ftrace's swiotlb_bounced events record maps only: give --hold-ms N/,
    )
    const held = await run(['replay', ft, '--hold-ms', '3', '--policies', 'fail', '--json'])
    expect(held.code).toBe(0)
    expect(JSON.parse(held.stdout).policies.fail.ios).toBe(1)
    const paired = await run(['replay', ft, '--hold-from', FIXTURE, '--policies', 'fail', '--json'])
    expect(paired.code).toBe(0)
    const notBlk = await run(['replay', ft, '--hold-from', ft])
    expect(notBlk.stderr).toMatch(/--hold-from .*ft\.txt: not blkparse output/)
  })

  it('a malformed line exits 1 naming the file and line; bad flags exit 2', async () => {
    const bad = join(DIR, 'bad.trace')
    writeFileSync(bad, '# dma-throttle-trace v1\n1 0 map nvme0 4096 4096 1 1 0x10\n2 0 unmap nvme0\n')
    const r = await run(['replay', bad])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^dma-throttle: .*bad\.trace:3: expected 7 fields for an unmap line/)
    expect((await run(['replay', join(DIR, 'none.trace')])).stderr).toMatch(
      /cannot read .*none\.trace: no such file$/m,
    )
    expect((await run(['replay', FIXTURE, '--policies', 'nope'])).code).toBe(2)
    expect((await run(['replay'])).code).toBe(2)
    expect(() => parseArgs(['replay', 'x', '--hold-ms', '-1'])).toThrow(
      /--hold-ms expects a number of ms >= 0/,
    )
    expect(parseArgs(['replay', 'x', '--may-block', 'nvme0,sda'])).toMatchObject({
      mayBlock: ['nvme0', 'sda'],
    })
    expect((await run(['replay', FIXTURE, '--may-block', 'all,sda'])).code).toBe(2)
    const notTrace = join(DIR, 'plain.txt')
    writeFileSync(notTrace, 'hello\n')
    expect((await run(['replay', notTrace])).stderr).toMatch(/plain\.txt: not a trace/)
  })
})

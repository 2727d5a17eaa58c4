import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { FIO_PERCENTILES, SCENARIOS } from '../../src/sim/index.js'
import { memoryIo } from './cli-io.js'

const SMALL_SPEC = JSON.stringify({
  name: 'small',
  cpus: 4,
  pool: '2M',
  runtime: '50ms',
  devices: [{ name: 'nvme0', type: 'nvme' }],
  jobs: [{ name: 'j', rw: 'randread', bs: '64k', iodepth: 12, numjobs: 4 }],
  policies: ['fail', 'throttle'],
})

describe('dma-throttle simulate', () => {
  it('prints the DESIGN §8 JSON object with --json', async () => {
    const { io, out } = memoryIo({ files: { 'small.json': SMALL_SPEC } })
    expect(await main(['simulate', 'small.json', '--json'], io)).toBe(0)
    const json = JSON.parse(out.stdout)
    expect(Object.keys(json)).toEqual(['scenario', 'seed', 'poolBytes', 'policies'])
    expect(json).toMatchObject({ scenario: 'small', seed: 1, poolBytes: 2 * 1024 * 1024 })
    expect(Object.keys(json.policies)).toEqual(['fail', 'throttle'])
    const p = json.policies.throttle
    for (const key of ['ios', 'ioErrors', 'iops', 'mibps']) expect(typeof p[key]).toBe('number')
    expect(Object.keys(p.poolBytes)).toEqual(['initial', 'grown', 'peak'])
    expect(Object.keys(p.hiwater)).toEqual(['exact', 'perAreaSum', 'sampled'])
    expect(Object.keys(p.throttle)).toEqual(['highCount', 'lowCount', 'waits'])
    expect(Object.keys(p.mapWaitUs)).toEqual(['p50', 'p99', 'p99_9', 'max'])
    expect(Object.keys(p.clatUs)).toEqual(FIO_PERCENTILES.map((x) => x.toFixed(2)))
    expect(json.policies.fail.ioErrors).toBeGreaterThan(0)
    expect(p.ioErrors).toBe(0)
  })

  it('prints a comparison table', async () => {
    const { io, out } = memoryIo({ files: { 'small.json': SMALL_SPEC } })
    expect(await main(['simulate', 'small.json'], io)).toBe(0)
    const lines = out.stdout.split('\n')
    expect(lines[0]).toBe('small: 4 CPUs, 2.0 MiB pool in 4 areas, 0.05 s simulated, seed 1')
    const header = lines.find((l) => l.startsWith('policy'))!
    expect(header).toMatch(/I\/Os\s+errors\s+IOPS\s+MiB\/s\s+pool peak\s+hiwater/)
    expect(lines.some((l) => /^fail\s+\d/.test(l))).toBe(true)
    expect(lines.some((l) => /^throttle\s+\d/.test(l))).toBe(true)
  })

  it('runs a fio job file on the default machine', async () => {
    const fio = '[global]\nbs=128k\nruntime=20ms\n[reader]\nrw=randread\niodepth=4\nnumjobs=2\n'
    const { io, out } = memoryIo({ files: { 'jobs.fio': fio } })
    expect(await main(['simulate', 'jobs.fio', '--json', '--policies', 'throttle'], io)).toBe(0)
    const json = JSON.parse(out.stdout)
    expect(json.scenario).toBe('jobs')
    expect(json.policies.throttle.ios).toBeGreaterThan(0)
  })

  it('writes a self-contained report with --report', async () => {
    const { io, out } = memoryIo({ files: { 'small.json': SMALL_SPEC } })
    expect(await main(['simulate', 'small.json', '--report', 'out.html'], io)).toBe(0)
    expect(out.stdout).toContain('report written to out.html')
    const html = out.written.get('out.html')!
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html.match(/<svg/g)?.length).toBe(5) // 2 usage charts, queue, map wait, pool bytes
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//)
  })

  it('draws a progress bar on a terminal only: never with --json or under CI', async () => {
    const run = async (args: string[], isTTY: boolean, env: Record<string, string> = {}) => {
      const { io, out } = memoryIo({ files: { 'small.json': SMALL_SPEC }, isTTY, env })
      expect(await main(['simulate', 'small.json', ...args], io)).toBe(0)
      return out.stderr
    }
    expect(await run([], true)).toContain('%')
    expect(await run([], false)).toBe('')
    expect(await run(['--json'], true)).toBe('')
    expect(await run([], true, { CI: 'true' })).toBe('')
  })
})

describe('dma-throttle scenarios and size', () => {
  it('lists every scenario with its claim', async () => {
    const { io, out } = memoryIo()
    expect(await main(['scenarios'], io)).toBe(0)
    for (const s of SCENARIOS) expect(out.stdout).toContain(s.name)
    expect(out.stdout).toContain('claim: ')
    const json = memoryIo()
    expect(await main(['scenarios', '--json'], json.io)).toBe(0)
    expect(JSON.parse(json.out.stdout).map((s: { name: string }) => s.name)).toEqual(
      SCENARIOS.map((s) => s.name),
    )
  })

  it('sizes the pool per policy', async () => {
    const { io, out } = memoryIo({ files: { 'small.json': SMALL_SPEC } })
    expect(await main(['size', 'small.json', '--json'], io)).toBe(0)
    const json = JSON.parse(out.stdout)
    expect(json.scenario).toBe('small')
    const fail = json.policies.fail.minPoolBytes
    const throttle = json.policies.throttle.minPoolBytes
    // 4 threads × iodepth 12 × 64 KiB = 3 MiB in flight: the fixed pool needs at least that.
    expect(fail).toBeGreaterThanOrEqual(3 * 1024 * 1024)
    expect(throttle).toBeLessThan(fail)
    const table = memoryIo({ files: { 'small.json': SMALL_SPEC } })
    expect(await main(['size', 'small.json'], table.io)).toBe(0)
    expect(table.out.stdout).toMatch(/^fail\s+\d/m)
  })
})

describe('bad input: one line that names the problem, non-zero exit, no stack', () => {
  it.each([
    [['simulate', 'no-such-scenario'], 1, 'unknown scenario "no-such-scenario": expected one of coco-fio, '],
    [['simulate', 'missing.json'], 1, 'cannot read missing.json: no such file'],
    [['simulate', 'broken.json'], 1, 'broken.json: invalid JSON ('],
    [
      ['simulate', 'bad.json'],
      1,
      'bad.json: Expected `jobs[0].iodepth` to be a whole number in [1, 65536], got 0 (number)',
    ],
    [['simulate', 'bad.fio'], 1, 'bad.fio: Expected `[r].bs` to be a size like'],
    [['simulate', '--seed', 'x'], 2, '--seed expects a whole number'],
    [['simulate', '--frobnicate'], 2, 'unknown option "--frobnicate"'],
    [['simulate', '--pool', '12Q'], 1, 'Expected `pool.size` to be a size like'],
    [['simulate', '--policies', 'fail,best'], 2, '--policies: unknown policy "best"'],
    [['launch'], 2, 'unknown command "launch"'],
    [['size'], 2, 'size takes one scenario or file'],
  ])('%j', async (argv, code, message) => {
    const { io, out } = memoryIo({
      files: {
        'broken.json': '{ "jobs": [',
        'bad.json': '{ "jobs": [{ "iodepth": 0 }] }',
        'bad.fio': '[r]\nbs=huge\n',
      },
    })
    expect(await main(argv, io)).toBe(code)
    expect(out.stdout).toBe('')
    expect(out.stderr.startsWith(`dma-throttle: ${message}`)).toBe(true)
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('prints help', async () => {
    const { io, out } = memoryIo()
    expect(await main(['--help'], io)).toBe(0)
    expect(out.stdout).toContain('dma-throttle simulate')
  })
})

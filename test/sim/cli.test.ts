import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseArgs } from '../../src/cli/args.js'
import { CliUsageError } from '../../src/cli/errors.js'
import { checkWritable } from '../../src/cli/io.js'
import { main } from '../../src/cli/main.js'
import { MAX_POOL } from '../../src/cli/pool-limit.js'
import { resolveTarget, specFor } from '../../src/cli/target.js'
import { FIO_PERCENTILES, parseSpec, SCENARIOS } from '../../src/sim/index.js'
import { params } from '../helpers/fc-params.js'
import { diskIo, memoryIo } from './cli-io.js'

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
    expect(html.match(/<svg/g)?.length).toBe(6) // 2 usage charts, CDF, queue, map wait, pool bytes
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
    expect(await main(['size', 'small.json', '--json', '--seeds', '2', '--jobs', '1'], io)).toBe(0)
    const json = JSON.parse(out.stdout)
    expect(json.scenario).toBe('small')
    const fail = json.policies.fail.minPoolBytes
    const throttle = json.policies.throttle.minPoolBytes
    // 4 threads × iodepth 12 × 64 KiB = 3 MiB in flight: the fixed pool needs at least that.
    expect(fail).toBeGreaterThanOrEqual(3 * 1024 * 1024)
    expect(throttle).toBeLessThan(fail)
    const table = memoryIo({ files: { 'small.json': SMALL_SPEC } })
    expect(await main(['size', 'small.json', '--seeds', '2', '--jobs', '1'], table.io)).toBe(0)
    expect(table.out.stdout).toMatch(/^fail\s+\d/m)
  })
})

describe('bad input: one line that names the problem, non-zero exit, no stack', () => {
  it.each([
    [['simulate', 'no-such-scenario'], 1, 'unknown scenario "no-such-scenario": expected one of coco-fio, '],
    [['simulate', 'missing.json'], 1, 'cannot read missing.json: no such file'],
    [['simulate', 'jobfile'], 1, 'unknown scenario "jobfile": expected one of coco-fio, '],
    [['simulate', 'broken.json'], 1, 'broken.json: invalid JSON ('],
    [
      ['simulate', 'bad.json'],
      1,
      'bad.json: Expected `jobs[0].iodepth` to be a whole number in [1, 65536], got 0 (number)',
    ],
    [['simulate', 'bad.fio'], 1, 'bad.fio: Expected `[r].bs` to be a size like'],
    [['simulate', '--seed', 'x'], 2, '--seed expects a whole number'],
    [['simulate', '--frobnicate'], 2, 'unknown option "--frobnicate"'],
    [['simulate', '--pool', '12Q'], 2, '--pool: Expected `pool.size` to be a size like'],
    [['simulate', '--json=yes'], 2, '--json takes no value'],
    [['simulate', '--report'], 2, '--report needs a value'],
    [['simulate', '--report', '--json'], 2, '--report needs a value'],
    [['simulate', '--seed='], 2, '--seed needs a value'],
    [['-hx'], 2, 'unknown option "-x"'],
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

  it('a misspelt scenario name gets the nearest scenario, a name unlike any gets none', async () => {
    const { io, out } = memoryIo()
    expect(await main(['simulate', 'coco-fo'], io)).toBe(1)
    expect(out.stderr).toMatch(/^dma-throttle: unknown scenario "coco-fo": expected one of coco-fio, /)
    expect(out.stderr.trimEnd().endsWith('(there is no file "coco-fo"); did you mean coco-fio?')).toBe(true)
    const far = memoryIo()
    expect(await main(['simulate', 'coco'], far.io)).toBe(1)
    expect(far.out.stderr).not.toContain('did you mean')
  })

  it('prints help', async () => {
    const { io, out } = memoryIo()
    expect(await main(['--help'], io)).toBe(0)
    expect(out.stdout).toContain('dma-throttle simulate')
  })
})

describe('the command line, parsed by node:util parseArgs', () => {
  it('--version prints package.json version, wherever it comes', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    for (const argv of [['--version'], ['simulate', 'coco-fio', '--version']]) {
      const { io, out } = memoryIo()
      expect(await main(argv, io)).toBe(0)
      expect(out).toMatchObject({ stdout: `${version}\n`, stderr: '' })
    }
    const help = memoryIo()
    expect(await main(['-h'], help.io)).toBe(0)
    expect(help.out.stdout).toContain('--version')
  })

  it('flags come anywhere, as --flag value or --flag=value; -- ends them', () => {
    expect(
      parseArgs(['--json', 'simulate', '--seed=7', 'x.json', '--pool', '4M', '--policies=fail, rfc']),
    ).toEqual({
      command: 'simulate',
      positionals: ['x.json'],
      json: true,
      help: false,
      version: false,
      seed: 7,
      report: undefined,
      pool: '4M',
      policies: ['fail', 'rfc'],
      strict: false,
      fioArgs: [],
      given: ['--json', '--seed', '--pool', '--policies'],
    })
    // After --: fio's command line, passed through untouched.
    expect(parseArgs(['simulate', '--', '--json', '-h'])).toMatchObject({
      positionals: [],
      fioArgs: ['--json', '-h'],
      json: false,
      help: false,
    })
  })

  it('property: where and how the flags are written changes nothing', () => {
    const flag = fc.oneof(
      fc.constant(['--json']),
      fc.constantFrom(['-h'], ['--help']),
      fc.nat({ max: 0xffffffff }).map((n) => ['--seed', String(n)]),
      fc.constantFrom('2M', '512K', '1G').map((v) => ['--pool', v]),
      fc.constantFrom('a.html', 'out/r.html').map((v) => ['--report', v]),
      fc.constantFrom('fail', 'rfc,throttle').map((v) => ['--policies', v]),
    )
    const word = fc.constantFrom('simulate', 'size', 'x.json', 'jobfile', '-')
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 3 }),
        // Each flag once: a value given twice is refused (test/cli/help-and-mistakes.test.ts).
        fc.uniqueArray(flag, { maxLength: 5, selector: (f) => (f[0] === '-h' ? '--help' : f[0]) }),
        fc.infiniteStream(fc.boolean()),
        (words, flags, choices) => {
          const canonical = parseArgs([...words, ...flags.flat()])
          // Interleave the flags among the words, each as `--f v` or `--f=v`, keeping their order.
          const argv: string[] = []
          const rest = [...words]
          const pick = choices[Symbol.iterator]()
          for (const f of flags) {
            while (rest.length > 0 && pick.next().value) argv.push(rest.shift()!)
            argv.push(...(f.length === 2 && pick.next().value ? [`${f[0]}=${f[1]}`] : f))
          }
          argv.push(...rest)
          expect(parseArgs(argv)).toEqual(canonical)
          expect(canonical.positionals).toEqual(words.slice(1))
        },
      ),
      params(300),
    )
  })
})

const TINY_FIO = '[global]\nbs=128k\nruntime=5ms\n[r]\nrw=randread\niodepth=2\n'
const TINY_JSON = JSON.stringify({
  runtime: '5ms',
  jobs: [{ name: 'r', rw: 'randread', bs: '128k', iodepth: 2 }],
})

describe('a spec file is read whatever its name, by content', () => {
  it.each([
    ['jobfile', TINY_FIO, 'jobfile'],
    ['x.job', TINY_FIO, 'x'],
    ['conf/x.ini', `; fio job\n${TINY_FIO}`, 'x'],
    ['spec.json', TINY_JSON, 'spec'],
    ['named.fio', ` \n${TINY_JSON}`, 'named'],
    ['bom.json', `\uFEFF${TINY_JSON}`, 'bom'],
  ])('%s', async (file, text, name) => {
    const { io, out } = memoryIo({ files: { [file]: text } })
    expect(await main(['simulate', file, '--json', '--policies', 'throttle'], io)).toBe(0)
    const json = JSON.parse(out.stdout)
    expect(json).toMatchObject({ scenario: name, poolBytes: 64 * 1024 * 1024 })
    expect(json.policies.throttle.ios).toBeGreaterThan(0)
  })

  it('a scenario name wins over a file of that name; ./name reads the file', async () => {
    const { io } = memoryIo({ files: { 'coco-fio': TINY_FIO, './coco-fio': TINY_FIO } })
    expect(await resolveTarget('coco-fio', io)).toMatchObject({
      scenario: { name: 'coco-fio' },
      file: undefined,
    })
    expect(await resolveTarget('./coco-fio', io)).toMatchObject({ scenario: undefined, file: './coco-fio' })
  })

  it('names every scenario only when no file of that name exists', async () => {
    const { io, out } = memoryIo()
    expect(await main(['size', 'jobfile'], io)).toBe(1)
    const names = SCENARIOS.map((s) => s.name).join(', ')
    expect(out.stderr).toBe(
      `dma-throttle: unknown scenario "jobfile": expected one of ${names}, or a spec file (there is no file "jobfile")\n`,
    )
  })

  it('reads from disk; a directory is refused by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dma-cli-'))
    writeFileSync(join(dir, 'jobfile'), TINY_FIO)
    const { io, out } = diskIo()
    expect(await main(['simulate', join(dir, 'jobfile'), '--json', '--policies', 'fail'], io)).toBe(0)
    expect(JSON.parse(out.stdout).scenario).toBe('jobfile')
    const bad = diskIo()
    expect(await main(['simulate', dir], bad.io)).toBe(1)
    expect(bad.out.stderr).toBe(`dma-throttle: cannot read ${dir}: a directory\n`)
    rmSync(dir, { recursive: true })
  })
})

describe(`pool sizes past ${MAX_POOL.label} are refused`, () => {
  const SEGMENT = 256 * 1024
  const target = { spec: parseSpec(JSON.parse(TINY_JSON)), scenario: undefined, file: 'x.json' }
  const withPool = (pool: string | undefined) => specFor(target, { ...parseArgs([]), pool })

  it.each([
    ['1T', '--pool 1T is larger than the maximum, 64 GiB'],
    ['65537M', '--pool 65537M is larger than the maximum, 64 GiB'],
  ])('--pool %s: one line, exit 2, nothing run', async (pool, message) => {
    const { io, out } = memoryIo({ isTTY: true })
    expect(await main(['simulate', 'coco-fio', '--pool', pool], io)).toBe(2)
    expect(out).toMatchObject({ stdout: '', stderr: `dma-throttle: ${message}\n` })
  })

  it('property: --pool N is refused exactly when N, rounded up to a segment, passes the maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: SEGMENT, max: 2 * MAX_POOL.bytes }), (n) => {
        const over = Math.ceil(n / SEGMENT) * SEGMENT > MAX_POOL.bytes
        if (over) expect(() => withPool(String(n))).toThrow(CliUsageError)
        else expect(withPool(String(n)).pool.size).toBe(Math.ceil(n / SEGMENT) * SEGMENT)
      }),
      params(300),
    )
  })

  it('a spec file over the maximum is refused unless --pool overrides it', async () => {
    const big = { ...target, spec: { ...target.spec, pool: { size: 2 * MAX_POOL.bytes, areas: 16 } } }
    expect(() => specFor(big, parseArgs([]))).toThrow(
      'x.json: pool.size 128 GiB is larger than the maximum, 64 GiB',
    )
    expect(specFor(big, parseArgs(['--pool', '2M'])).pool.size).toBe(2 * 1024 * 1024)
  })

  it(`the simulator runs a ${MAX_POOL.label} pool`, async () => {
    const { io, out } = memoryIo({ files: { jobfile: TINY_FIO } })
    expect(await main(['simulate', 'jobfile', '--json', '--policies', 'throttle', '--pool', '64G'], io)).toBe(
      0,
    )
    expect(JSON.parse(out.stdout).policies.throttle.poolBytes.peak).toBe(MAX_POOL.bytes)
  })
})

describe('an unwritable --report path is refused before the simulation runs', () => {
  it.each([
    ['ENOENT', 'out/r.html', 'no directory out'],
    ['EISDIR', 'out', 'a directory'],
    ['EACCES', 'r.html', 'permission denied'],
  ])('%s', async (code, path, why) => {
    // On a terminal the progress bar would draw as soon as the simulation started: none may appear.
    const { io, out } = memoryIo({
      files: { 'small.json': SMALL_SPEC },
      unwritable: { [path]: code },
      isTTY: true,
    })
    expect(await main(['simulate', 'small.json', '--report', path], io)).toBe(1)
    expect(out.stderr).toBe(`dma-throttle: --report ${path}: cannot write (${why})\n`)
    expect(out.stdout).toBe('')
    expect(out.written.size).toBe(0)
  })

  it('checkWritable agrees with a real write, and changes nothing on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dma-report-'))
    mkdirSync(join(dir, 'locked'))
    chmodSync(join(dir, 'locked'), 0o555)
    const old = join(dir, 'old.html')
    const root = process.getuid?.() === 0
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: { code: string }) => e.code,
      )
    const cases: Array<[string, string | undefined]> = [
      ['missing/r.html', 'ENOENT'],
      ['.', 'EISDIR'],
      ['old.html/r.html', 'ENOTDIR'],
      ['locked/r.html', root ? undefined : 'EACCES'], // root may write there, and the check says so
      ['old.html', undefined],
      ['new.html', undefined],
    ]
    for (const [name, code] of cases) {
      writeFileSync(old, 'old')
      utimesSync(old, 1000, 1000)
      const path = join(dir, name)
      expect(await codeOf(checkWritable(path)), name).toBe(code)
      expect(readdirSync(dir).sort(), name).toEqual(['locked', 'old.html'])
      expect([readFileSync(old, 'utf8'), statSync(old).mtimeMs], name).toEqual(['old', 1_000_000])
      expect(await codeOf(writeFile(path, 'x')), name).toBe(code)
      if (code === undefined && name !== 'old.html') rmSync(path)
    }
    chmodSync(join(dir, 'locked'), 0o755)
    rmSync(dir, { recursive: true })
  })

  it('refuses a real missing directory with the disk io, leaving nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dma-report-'))
    writeFileSync(join(dir, 'small.json'), SMALL_SPEC)
    const { io, out } = diskIo()
    const report = join(dir, 'nodir', 'r.html')
    expect(await main(['simulate', join(dir, 'small.json'), '--report', report], io)).toBe(1)
    expect(out.stderr).toBe(
      `dma-throttle: --report ${report}: cannot write (no directory ${join(dir, 'nodir')})\n`,
    )
    expect(readdirSync(dir)).toEqual(['small.json'])
    rmSync(dir, { recursive: true })
  })
})

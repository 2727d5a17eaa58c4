import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { parseSpec, readFioJobFile, type SimSpec, specFromFioJobFile } from '../../src/sim/index.js'
import { params } from '../helpers/fc-params.js'
import { memoryIo } from '../sim/cli-io.js'

// Fuzzing the simulation spec parsers (issue 7, item 5): no JSON value and no job file text makes the
// parsers throw anything but a SpecError that names a field, and the CLI answers every bad file with
// one line on stderr and a non-zero exit code, never a stack trace.
const SPEC_CODES = ['ERR_SIM_SPEC', 'ERR_SIM_UNKNOWN_SCENARIO']

/** Runs a parser: a spec, or a SpecError with a field and a one-line message. */
function parseOrSpecError(what: string, parse: () => SimSpec | unknown): boolean {
  try {
    parse()
    return true
  } catch (error) {
    const e = error as Error & { code?: unknown; field?: unknown }
    expect(SPEC_CODES, `${what}: ${e?.name}: ${e?.message}`).toContain(e.code)
    expect(e.message, what).not.toMatch(/\n/)
    return false
  }
}

const hostile = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    -1,
    0,
    0.5,
    1e21,
    Number.NaN,
    '',
    ' ',
    '0',
    '-1',
    '1e3',
    '4k',
    '99999999999T',
    '1.5.5',
    'NaN',
  ),
)
const size = fc.oneof(hostile, fc.constantFrom('4k', '64k', '128K', '1m', '256K', '64M', 4096, '0k'))
const duration = fc.oneof(hostile, fc.constantFrom('1s', '500ms', '2', 1, '0', '10us', '1h', '-1s'))
const job = fc.record(
  {
    name: fc.oneof(hostile, fc.constantFrom('j1', 'j2')),
    device: fc.oneof(hostile, fc.constantFrom('nvme0', 'sda', 'nope')),
    rw: fc.oneof(hostile, fc.constantFrom('read', 'randwrite', 'randrw', 'trim')),
    rwmixread: fc.oneof(hostile, fc.nat(120)),
    bs: size,
    bssplit: fc.oneof(hostile, fc.constantFrom('4k/50:64k/50', '4k/10:', '4k/200', '/:', '128k/100:1m/0')),
    iodepth: fc.oneof(hostile, fc.nat(70000)),
    numjobs: fc.oneof(hostile, fc.nat(5000)),
    rate_iops: fc.oneof(hostile, fc.nat(1e6)),
    runtime: duration,
    startdelay: duration,
    cpus_allowed: fc.oneof(hostile, fc.constantFrom('0-3', '3-0', '0,2,99', '', '-', '0-')),
    continue_on_error: fc.oneof(hostile, fc.constantFrom('all', 'none', 'io')),
  },
  { requiredKeys: [] },
)
const device = fc.record(
  {
    name: fc.oneof(hostile, fc.constantFrom('nvme0', 'sda', 'eth0')),
    type: fc.oneof(hostile, fc.constantFrom('nvme', 'scsi', 'nic')),
    queueDepth: fc.oneof(hostile, fc.nat(100000)),
    latencyUs: fc.oneof(hostile, fc.nat(1000)),
    bandwidth: size,
    polling: fc.oneof(hostile, fc.boolean()),
    pps: fc.oneof(hostile, fc.nat(1e7)),
    packetBytes: fc.oneof(hostile, fc.nat(300000)),
  },
  { requiredKeys: [] },
)
const spec = fc.record(
  {
    name: hostile,
    cpus: fc.oneof(hostile, fc.integer({ min: -1, max: 2000 })),
    pool: fc.oneof(size, fc.record({ size, areas: fc.oneof(hostile, fc.constantFrom(1, 3, 4, 1024)) })),
    runtime: duration,
    sampleMs: fc.oneof(hostile, fc.constantFrom(0, 0.0001, 10)),
    devices: fc.oneof(hostile, fc.array(device, { maxLength: 3 })),
    jobs: fc.oneof(hostile, fc.array(job, { maxLength: 3 })),
    hogs: fc.oneof(
      hostile,
      fc.array(fc.record({ bytes: size, atMs: hostile, holdMs: hostile, cpu: hostile }), { maxLength: 2 }),
    ),
    policies: fc.oneof(
      hostile,
      fc.array(fc.constantFrom('fail', 'rfc', 'throttle', 'dynamic', 'hybrid', 'x')),
    ),
    tuning: fc.oneof(
      hostile,
      fc.record(
        { high: hostile, chunkBytes: size, growCost: fc.oneof(hostile, fc.record({ fixedMs: hostile })) },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
)

const fioLine = fc.oneof(
  fc.constantFrom('[global]', '[job1]', '[job2]', '[ ]', '[', ']', '[[x]]', '', '# comment', '; comment'),
  fc.constantFrom('rw=randread', 'bs=4k', 'bssplit=4k/50:64k/50', 'iodepth=32', 'numjobs=2', 'runtime=1s'),
  fc.constantFrom('time_based', 'ioengine=libaio', 'direct=1', 'filename=/dev/nvme0n1', 'cpus_allowed=0-3'),
  fc.constantFrom('=4k', 'bs=', 'bs = 4k ; trailing', 'iodepth=-1', 'rw=trim', 'bs=99999999999T', 'x y=1'),
  fc
    .tuple(fc.constantFrom('rw', 'bs', 'iodepth', 'runtime', 'rate_iops', 'bogus'), fc.string())
    .map(([k, v]) => `${k}=${v}`),
  fc.string(),
)
const fioText = fc
  .tuple(fc.array(fioLine, { maxLength: 25 }), fc.constantFrom('\n', '\r\n'))
  .map(([lines, eol]) => lines.join(eol))

describe('spec parser fuzzing', () => {
  it('parseSpec(anything) returns a spec or throws a SpecError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), spec), (input) => {
        parseOrSpecError('parseSpec', () => parseSpec(input))
        parseOrSpecError('parseSpec from a job file', () => parseSpec(input, { jobFile: true }))
      }),
      params(2000),
    )
  })

  it('job file text of any shape reads into jobs or throws a SpecError', () => {
    fc.assert(
      fc.property(fc.oneof(fioText, fc.string()), (text) => {
        if (parseOrSpecError('readFioJobFile', () => readFioJobFile(text)))
          parseOrSpecError('specFromFioJobFile', () => specFromFioJobFile(text, 'fuzz'))
      }),
      params(2000),
    )
  })

  it('the CLI answers a bad .json or .fio file with one line and exit code 1', async () => {
    const json = fc.oneof(
      spec.map((s) => JSON.stringify(s) ?? ''),
      fc.string(),
      fc.constantFrom('{', '[]', 'null', '{"jobs": [{"bs": "4k"}]', '\u0000', '{"__proto__": {"x": 1}}'),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          json.map((t): [string, string] => ['x.json', t]),
          fioText.map((t): [string, string] => ['x.fio', t]),
        ),
        async ([file, text]) => {
          // Only inputs the parser refuses: a valid spec would run a whole simulation. The CLI tells
          // JSON from a job file by content (a leading '{'), whatever the file's name.
          const body = text.replace(/^\uFEFF/, '')
          const valid = !body.trimStart().startsWith('{')
            ? parseOrSpecError('fio', () => specFromFioJobFile(body))
            : (() => {
                try {
                  return parseOrSpecError('json', () => parseSpec(JSON.parse(body)))
                } catch {
                  return false // not JSON at all
                }
              })()
          if (valid) return
          for (const command of ['simulate', 'size']) {
            const { io, out } = memoryIo({ files: { [file]: text } })
            const code = await main([command, file], io)
            expect(code, out.stderr).toBe(1)
            expect(out.stdout).toBe('')
            expect(out.stderr).toMatch(/^dma-throttle: x\.(json|fio): .+\n$/)
            expect(out.stderr, 'no stack trace').not.toMatch(/\n\s+at /)
          }
        },
      ),
      params(300),
    )
  })

  it('the CLI answers any command line with an exit code and at most one line on stderr', async () => {
    const word = fc.oneof(
      fc.constantFrom(
        'scenarios',
        'help',
        '--json',
        '--seed',
        '-1',
        '--pool',
        '1Q',
        '--policies',
        'x,y',
        '--',
      ),
      fc.constantFrom(
        '--report',
        '--nope',
        '-h',
        'simulate',
        'size',
        'missing.json',
        'missing.fio',
        'no-such-scenario',
      ),
      fc.string({ maxLength: 12 }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 6 }), async (argv) => {
        // A command line that would run a real simulation is left to the CLI tests.
        if (argv[0] === 'simulate' || argv[0] === 'size') {
          if (!(argv[1]?.startsWith('missing') || argv[1] === 'no-such-scenario')) return
        }
        const { io, out } = memoryIo()
        const code = await main(argv, io)
        expect([0, 1, 2]).toContain(code)
        if (code !== 0) expect(out.stderr).toMatch(/^dma-throttle: [^\n]+\n$/)
        expect(out.stderr, 'no stack trace').not.toMatch(/\n\s+at /)
      }),
      params(500),
    )
  })
})

// The project's rule for files the CLI reads: every option is modelled, reported as having no effect,
// or refused. `explain` prints each notice with its reason; the commands that run a file say in one
// stderr line that there are notices, name the options, and point to explain (docs/simulation.md).
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { memoryIo } from '../sim/cli-io.js'

const CLEAN = '[a]\nioengine=libaio\ndirect=1\nrw=randread\nbs=4k\niodepth=4\nsize=256k\n'
const NOTICED = `${CLEAN}fsync=4\nthread\n`
const JSON_SPEC = JSON.stringify({
  name: 'j',
  cpus: 2,
  pool: '2M',
  runtime: '5ms',
  jobs: [{ name: 'a', rw: 'randread', bs: '4k', iodepth: 2, thread: 1 }],
  policies: ['fail'],
})

async function cli(argv: string[]) {
  const { io, out } = memoryIo({ files: { 'clean.fio': CLEAN, 'job.fio': NOTICED, 'spec.json': JSON_SPEC } })
  const code = await main(argv, io)
  return { code, stdout: out.stdout, stderr: out.stderr }
}

const LINE =
  'dma-throttle: job.fio: 2 options have no effect on the pool or rest on an assumption: fsync, thread (`dma-throttle explain job.fio` says why; --strict refuses them)\n'

describe('the notices line', () => {
  it('simulate, size, hiwater and sweep print it once for a job file with notices', async () => {
    const runs: string[][] = [
      ['simulate', 'job.fio', '--policies', 'fail', '--json'],
      ['size', 'job.fio', '--seeds', '1', '--policies', 'fail', '--jobs', '1', '--json'],
      ['hiwater', 'job.fio', '--seeds', '1', '--areas', '1', '--intervals', '1', '--jobs', '1', '--json'],
      ['sweep', 'job.fio', '--seeds', '1', '--pools', '1M', '--policies', 'fail', '--jobs', '1', '--json'],
    ]
    for (const argv of runs) {
      const { code, stderr } = await cli(argv)
      expect([argv[0], code, stderr]).toEqual([argv[0], 0, LINE])
    }
  })

  it('the same job without the options prints nothing, and the results do not differ', async () => {
    const clean = await cli(['simulate', 'clean.fio', '--policies', 'fail', '--json'])
    const noticed = await cli(['simulate', 'job.fio', '--policies', 'fail', '--json'])
    expect([clean.code, clean.stderr]).toEqual([0, ''])
    const strip = (s: string) => s.replaceAll('"clean"', '"job"')
    expect(strip(clean.stdout)).toBe(noticed.stdout)
  })

  it("fio's arguments alone point to explain with the same arguments", async () => {
    const { code, stderr } = await cli([
      'simulate',
      '--policies',
      'fail',
      '--json',
      '--',
      '--name=a',
      '--ioengine=libaio',
      '--direct=1',
      '--rw=randread',
      '--bs=4k',
      '--size=256k',
      '--thread',
    ])
    expect(code).toBe(0)
    expect(stderr).toBe(
      "dma-throttle: fio's arguments: 1 option has no effect on the pool or rest on an assumption: thread (`dma-throttle explain -- <the same arguments>` says why; --strict refuses them)\n",
    )
  })

  it('a JSON spec with a noticed key prints it too; explain prints the notices in full, not the line', async () => {
    const run = await cli(['simulate', 'spec.json', '--json'])
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/^dma-throttle: spec\.json: 1 option has no effect .*: jobs\[0\]\.thread \(/)
    const explain = await cli(['explain', 'job.fio'])
    expect(explain.code).toBe(0)
    expect(explain.stderr).toBe('')
    expect(explain.stdout).toContain('fsync')
  })

  it('a command refused after reading the file says its error alone', async () => {
    const { code, stderr } = await cli(['simulate', 'job.fio', '--output-format', 'nope'])
    expect(code).toBe(2)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    const late = await cli(['hiwater', 'job.fio', '--policies', 'fail,throttle'])
    expect(late.code).toBe(2)
    expect(late.stderr).toMatch(/^dma-throttle: hiwater measures one policy/)
    expect(late.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('a bad --seeds, --jobs or --areas, checked after the file is read, is its error alone too', async () => {
    const runs: Array<[string[], RegExp]> = [
      [['hiwater', 'job.fio', '--seeds', '0'], /^dma-throttle: --seeds expects/],
      [['hiwater', 'job.fio', '--jobs', '0'], /^dma-throttle: --jobs expects/],
      [['hiwater', 'job.fio', '--areas', '4096'], /^dma-throttle: --areas: Expected `areas`/],
      [['sweep', 'job.fio', '--pools', '1M', '--jobs', '0'], /^dma-throttle: --jobs expects/],
      [['size', 'job.fio', '--jobs', '0'], /^dma-throttle: --jobs expects/],
    ]
    for (const [argv, error] of runs) {
      const { code, stderr } = await cli(argv)
      expect([argv.join(' '), code, stderr.trimEnd().split('\n').length]).toEqual([argv.join(' '), 2, 1])
      expect(stderr).toMatch(error)
    }
  })

  it('--strict refuses instead of printing the line', async () => {
    const { code, stderr } = await cli(['simulate', 'job.fio', '--strict', '--policies', 'fail'])
    expect(code).not.toBe(0)
    expect(stderr).not.toContain('says why')
  })
})

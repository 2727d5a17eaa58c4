// docs/simulation.md ("fio job files and fio's JSON"): `simulate`, `size`, `sweep`, `hiwater` and
// `explain` take a fio job file, or fio's command line after `--`; `--help` says the same. fio's
// command line alone must run exactly as the same job written as a file.
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { memoryIo } from '../sim/cli-io.js'

const JOB = [
  '--name=a',
  '--ioengine=libaio',
  '--direct=1',
  '--rw=randread',
  '--bs=4k',
  '--iodepth=4',
  '--size=256k',
]
const FILE = `[a]\n${JOB.slice(1)
  .map((o) => o.slice(2))
  .join('\n')}\n`

async function cli(argv: string[]) {
  const { io, out } = memoryIo({ files: { fio: FILE } })
  const code = await main(argv, io)
  return { code, stdout: out.stdout, stderr: out.stderr }
}

describe("fio's command line alone, as the docs and --help say", () => {
  const commands: [string, string[]][] = [
    ['size', ['--seeds', '1', '--policies', 'fail', '--jobs', '1', '--json']],
    ['hiwater', ['--seeds', '1', '--areas', '1', '--intervals', '1', '--jobs', '1', '--json']],
    ['sweep', ['--seeds', '1', '--pools', '1M', '--policies', 'fail', '--jobs', '1', '--json']],
  ]
  for (const [command, flags] of commands) {
    it(`${command} -- <fio arguments> runs the job as a job file would`, async () => {
      // The file is named `fio`, the name a spec from fio's arguments alone takes.
      const fromFile = await cli([command, 'fio', ...flags])
      expect([fromFile.code, fromFile.stderr]).toEqual([0, ''])
      const alone = await cli([command, ...flags, '--', ...JOB])
      expect([alone.code, alone.stderr]).toEqual([0, ''])
      expect(alone.stdout).toBe(fromFile.stdout)
    })
  }

  it('a command without a scenario, a file or fio arguments still says what it takes', async () => {
    for (const command of ['size', 'hiwater', 'sweep']) {
      const { code, stderr } = await cli([command])
      expect(code).toBe(2)
      expect(stderr).toMatch(new RegExp(`^dma-throttle: ${command} takes one`))
    }
  })
})

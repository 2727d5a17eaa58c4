import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { memoryIo } from '../sim/cli-io.js'
import { TINY_SPEC } from '../sim/tiny-spec.js'

/** A trace on disk: `size` and `hiwater` tell a trace from a spec by reading the file. */
const TRACE = join(import.meta.dirname, '..', 'sim', 'fixtures', 'blkparse-default.txt')

/** Each flag with a value the parser accepts; `--` stands for fio's arguments after it. */
const FLAGS: Record<string, string[]> = {
  '--json': ['--json'],
  '--seed': ['--seed', '7'],
  '--report': ['--report', 'r.html'],
  '--pool': ['--pool', '64M'],
  '--policies': ['--policies', 'throttle'],
  '--jobs': ['--jobs', '1'],
  '--seeds': ['--seeds', '2'],
  '--shard': ['--shard', '1/2'],
  '--min-throughput': ['--min-throughput', '90'],
  '--pools': ['--pools', '2M'],
  '--areas': ['--areas', '1'],
  '--intervals': ['--intervals', '1'],
  '--trace-out': ['--trace-out', 't.trace'],
  '--hold-ms': ['--hold-ms', '1'],
  '--hold-from': ['--hold-from', 'h.txt'],
  '--may-block': ['--may-block', 'all'],
  '--max-wait-ms': ['--max-wait-ms', '0.001'],
  '--strict': ['--strict'],
  '--runtime': ['--runtime', '10ms'],
  '--output-format': ['--output-format', 'json'],
  '--': ['--', '--name=a'],
}

const FIO = ['--strict', '--runtime', '--']

/**
 * Every command, how it is called, and the flags it uses (docs/simulation.md); every other flag is
 * refused. Written out here, apart from src/cli/command-flags.ts, so that a change to one shows here.
 */
const COMMANDS: Array<{ name: string; argv: string[]; takes: string[] }> = [
  {
    name: 'simulate',
    argv: ['simulate', 'tiny.json'],
    takes: ['--json', '--seed', '--report', '--pool', '--policies', '--trace-out', '--output-format', ...FIO],
  },
  { name: 'explain', argv: ['explain', 'tiny.json'], takes: ['--json', ...FIO] },
  { name: 'scenarios', argv: ['scenarios'], takes: ['--json'] },
  {
    name: 'size',
    argv: ['size', 'tiny.json'],
    takes: ['--json', '--seed', '--seeds', '--jobs', '--min-throughput', '--report', '--policies', ...FIO],
  },
  {
    name: 'size on a trace',
    argv: ['size', TRACE],
    takes: ['--json', '--pool', '--policies', '--hold-ms', '--hold-from', '--may-block', '--max-wait-ms'],
  },
  {
    name: 'sweep',
    argv: ['sweep', 'tiny.json'],
    takes: ['--json', '--seed', '--seeds', '--jobs', '--pools', '--shard', '--report', '--policies', ...FIO],
  },
  { name: 'merge', argv: ['merge', 'a.jsonl'], takes: ['--json', '--report'] },
  {
    name: 'hiwater',
    argv: ['hiwater', 'tiny.json'],
    takes: [
      '--json',
      '--seed',
      '--seeds',
      '--jobs',
      '--areas',
      '--intervals',
      '--pool',
      '--policies',
      ...FIO,
    ],
  },
  {
    name: 'hiwater on a trace',
    argv: ['hiwater', TRACE],
    takes: [
      '--json',
      '--pool',
      '--policies',
      '--areas',
      '--intervals',
      '--hold-ms',
      '--hold-from',
      '--may-block',
    ],
  },
  {
    name: 'replay',
    argv: ['replay', TRACE],
    takes: ['--json', '--pool', '--policies', '--hold-ms', '--hold-from', '--may-block', '--max-wait-ms'],
  },
]

const cases = COMMANDS.flatMap(({ name, argv, takes }) =>
  Object.keys(FLAGS)
    .filter((flag) => !takes.includes(flag))
    .map((flag) => ({ name, argv, flag })),
)

describe('every command refuses every flag it does not use, naming both', () => {
  it.each(cases)('$name refuses $flag', async ({ name, argv, flag }) => {
    const { io, out } = memoryIo({ files: { 'tiny.json': TINY_SPEC } })
    expect(await main([...argv, ...FLAGS[flag]!], io)).toBe(2)
    const named = flag === '--' ? 'fio arguments after --' : flag
    expect(out.stderr).toMatch(new RegExp(`^dma-throttle: ${name} does not take ${named}(: [^\\n]+)?\\n$`))
    expect(out.stdout).toBe('')
  })

  it('the reviewer’s cases, with their own flags in front', async () => {
    for (const [argv, message] of [
      [['size', 'coco-fio', '--max-wait-ms', '0.001', '--seeds', '2'], 'size does not take --max-wait-ms'],
      [['sweep', 'coco-fio', '--max-wait-ms', '3'], 'sweep does not take --max-wait-ms'],
      [['merge', 'a.jsonl', '--seed', '7'], 'merge does not take --seed'],
      [['merge', 'a.jsonl', '--policies', 'throttle'], 'merge does not take --policies'],
      [['size', 'coco-fio', '--pool', '512K'], 'size does not take --pool'],
    ] as const) {
      const { io, out } = memoryIo()
      expect(await main([...argv], io)).toBe(2)
      expect(out.stderr.startsWith(`dma-throttle: ${message}`)).toBe(true)
    }
  })
})

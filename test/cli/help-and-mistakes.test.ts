import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseArgs } from '../../src/cli/args.js'
import { COMMAND_FLAGS, refuseOtherFlags } from '../../src/cli/command-flags.js'
import { COMMAND_HELP, commandHelp, type HelpCommand } from '../../src/cli/command-help.js'
import { HELP } from '../../src/cli/commands/help.js'
import type { CliIo } from '../../src/cli/io.js'
import { main } from '../../src/cli/main.js'
import { editDistance } from '../../src/cli/nearest.js'
import { params } from '../helpers/fc-params.js'
import { memoryIo } from '../sim/cli-io.js'
import { TINY_SPEC } from '../sim/tiny-spec.js'

const TRACE = join(import.meta.dirname, '..', 'sim', 'fixtures', 'blkparse-default.txt')

const COMMANDS = Object.keys(COMMAND_HELP) as HelpCommand[]

/** Every way to ask for a command's help. */
const ASK = [
  (c: string) => [c, '--help'],
  (c: string) => [c, '-h'],
  (c: string) => ['--help', c],
  (c: string) => ['help', c],
  (c: string) => [c, 'x.json', '--json', '--help'],
]

/** The flags a help text lists, per `flags…:` section: lines `  --name …` or `  -- ARGS…`. */
function listedFlags(text: string): string[][] {
  const sections = text.split('\n\n').filter((s) => s.startsWith('flags'))
  return sections.map((s) =>
    s
      .split('\n')
      .slice(1)
      .map((line) => /^ {2}(--[a-z-]*)(?: |$)/.exec(line)?.[1] ?? `not a flag line: ${line}`),
  )
}

describe('each command has its own --help', () => {
  it('merge --help, exactly', async () => {
    const { io, out } = memoryIo()
    expect(await main(['merge', '--help'], io)).toBe(0)
    expect(out).toMatchObject({
      stderr: '',
      stdout: [
        'dma-throttle merge: the shards of a sweep (its --json output), as one run would print them',
        '',
        'usage:',
        '  dma-throttle merge <shard files…> [flags]',
        '',
        'flags:',
        '  --json              machine-readable output (no progress bar)',
        '  --report out.html   also write a self-contained HTML report with charts',
        '',
        'example:',
        '  dma-throttle merge s1.jsonl s2.jsonl s3.jsonl s4.jsonl',
        '',
        'docs: docs/simulation.md',
        '',
      ].join('\n'),
    })
  })

  it("property: every command's help, however asked, lists exactly the flags command-flags.ts gives it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...COMMANDS), fc.constantFrom(...ASK), async (command, ask) => {
        const { io, out } = memoryIo()
        expect(await main(ask(command), io)).toBe(0)
        expect(out.stderr).toBe('')
        expect(out.stdout).toBe(commandHelp(command))
        expect(out.stdout).not.toBe(HELP)
        expect(out.stdout.startsWith(`dma-throttle ${command}: `)).toBe(true)
        const rows = COMMAND_HELP[command].tables.map((t) => t.row)
        expect(listedFlags(out.stdout)).toEqual(rows.map((row) => [...COMMAND_FLAGS[row].takes]))
        // Every flag line says what the flag does.
        for (const line of out.stdout.split('\n').filter((l) => /^ {2}--/.test(l))) {
          expect(line, line).toMatch(/^ {2}\S.{17} {2}\S/)
        }
      }),
      params(60),
    )
  })

  it('every example is a command line the command accepts', () => {
    for (const command of COMMANDS) {
      const help = commandHelp(command)
      const example = help.split('\nexample:\n  dma-throttle ')[1]!.split('\n')[0]!
      const args = parseArgs(example.split(' '))
      expect(args.command).toBe(command)
      expect(() => refuseOtherFlags(args, COMMAND_HELP[command].tables[0]!.row)).not.toThrow()
    }
  })

  it('--help, help and help help print the global help; help of an unknown command is a usage error', async () => {
    for (const argv of [['--help'], ['help'], ['help', 'help'], []]) {
      const { io, out } = memoryIo()
      expect(await main(argv, io)).toBe(0)
      expect(out).toMatchObject({ stdout: HELP, stderr: '' })
    }
    for (const [argv, message] of [
      [['help', 'sise'], 'unknown command "sise" (did you mean size?)'],
      [['launch', '--help'], 'unknown command "launch" (expected simulate, explain'],
      [['help', 'size', 'sweep'], 'help takes one command, got 2'],
    ] as const) {
      const { io, out } = memoryIo()
      expect(await main([...argv], io), argv.join(' ')).toBe(2)
      expect(out.stdout).toBe('')
      expect(out.stderr.startsWith(`dma-throttle: ${message}`)).toBe(true)
      expect(out.stderr.trimEnd().split('\n')).toHaveLength(1)
    }
  })
})

/** The long flags the parser knows, as typed. */
const ALL_FLAGS = [
  ...new Set(Object.values(COMMAND_FLAGS).flatMap((c) => c.takes as readonly string[])),
  '--help',
  '--version',
].filter((f) => f !== '--')

/** One typing slip in `word` past its first `skip` characters: a letter dropped, doubled or two swapped. */
const slip = (word: string, skip: number) =>
  fc
    .tuple(fc.integer({ min: skip, max: word.length - 1 }), fc.constantFrom('drop', 'double', 'swap'))
    .map(([i, kind]) => {
      if (kind === 'drop') return word.slice(0, i) + word.slice(i + 1)
      if (kind === 'double') return word.slice(0, i + 1) + word.slice(i)
      return i + 1 < word.length ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : word
    })

describe('a misspelt command or flag gets the nearest valid one', () => {
  it.each([
    [['simulat'], 'unknown command "simulat" (did you mean simulate?)'],
    [['sweeep', 'coco-fio'], 'unknown command "sweeep" (did you mean sweep?)'],
    [['size', 'coco-fio', '--sedes', '3'], 'unknown option "--sedes" (did you mean --seeds?)'],
    [['simulate', '--polices=fail'], 'unknown option "--polices" (did you mean --policies?)'],
    [['simulate', '--frobnicate'], 'unknown option "--frobnicate" (try --help)'],
    [['simulate', '-x'], 'unknown option "-x" (try --help)'],
  ])('%j', async (argv, message) => {
    const { io, out } = memoryIo()
    expect(await main(argv, io)).toBe(2)
    expect(out).toMatchObject({ stdout: '', stderr: `dma-throttle: ${message}\n` })
  })

  it('property: one slip in a flag name suggests a flag one edit away from what was typed', () => {
    const typo = fc
      .constantFrom(...ALL_FLAGS.filter((f) => f.length >= 6))
      .chain((flag) => slip(flag, 2))
      .filter((t) => !ALL_FLAGS.includes(t))
    fc.assert(
      fc.property(typo, (t) => {
        const error = (() => {
          try {
            parseArgs(['simulate', t])
          } catch (e) {
            return e as Error
          }
          throw new Error(`${t} was accepted`)
        })()
        const near = /\(did you mean (--[a-z-]+)\?\)$/.exec(error.message)?.[1]
        expect(near, error.message).toBeDefined()
        expect(ALL_FLAGS).toContain(near)
        expect(editDistance(t, near!)).toBe(1)
      }),
      params(200),
    )
  })

  it('property: one slip in a command name suggests that command', async () => {
    const typo = fc
      .constantFrom(...COMMANDS.filter((c) => c.length >= 5))
      .chain((c) => slip(c, 0).map((t) => ({ c, t })))
      .filter(({ t }) => !(COMMANDS as string[]).includes(t))
    await fc.assert(
      fc.asyncProperty(typo, async ({ c, t }) => {
        const { io, out } = memoryIo()
        expect(await main([t], io)).toBe(2)
        expect(out.stderr).toBe(`dma-throttle: unknown command ${JSON.stringify(t)} (did you mean ${c}?)\n`)
      }),
      params(100),
    )
  })
})

describe('a flag given twice', () => {
  const valueFlags = ALL_FLAGS.filter((f) => !['--json', '--strict', '--help', '--version'].includes(f))

  it.each(valueFlags)('%s with a value twice is refused, naming it', async (flag) => {
    const { io, out } = memoryIo()
    expect(await main(['simulate', flag, '1', `${flag}=2`], io)).toBe(2)
    expect(out).toMatchObject({ stdout: '', stderr: `dma-throttle: ${flag} given twice: give it once\n` })
  })

  it('a switch twice is the switch once', () => {
    for (const flag of ['--json', '--strict', '--help', '--version']) {
      expect(parseArgs(['simulate', flag, flag])).toEqual({
        ...parseArgs(['simulate', flag]),
        given: [flag, flag],
      })
    }
    expect(parseArgs(['-h', '--help']).help).toBe(true)
  })
})

describe('errors: one line for the expected, a stack for a bug', () => {
  it('an expected error is one line on stderr, exit 1, nothing on stdout', async () => {
    const { io, out } = memoryIo()
    expect(await main(['replay', 'missing.trace'], io)).toBe(1)
    expect(out.stdout).toBe('')
    expect(out.stderr).toBe('dma-throttle: cannot read missing.trace: no such file\n')
  })

  it('an error without a code (a bug) shows the line, then its stack; exit 1', async () => {
    const { io, out } = memoryIo()
    const broken: CliIo = {
      ...io,
      stdout: () => {
        throw new TypeError('boom')
      },
    }
    expect(await main(['scenarios'], broken)).toBe(1)
    const lines = out.stderr.trimEnd().split('\n')
    expect(lines[0]).toBe('dma-throttle: boom')
    expect(lines[1]).toBe('TypeError: boom')
    expect(lines.length).toBeGreaterThan(2)
    expect(lines.slice(2).every((l) => l.startsWith('    at '))).toBe(true)
  })

  it('DMA_THROTTLE_DEBUG=1 shows the stack of an expected error too', async () => {
    const { io, out } = memoryIo({ env: { DMA_THROTTLE_DEBUG: '1' } })
    expect(await main(['simulate', '--seed', 'x'], io)).toBe(2)
    const lines = out.stderr.trimEnd().split('\n')
    expect(lines[0]).toBe('dma-throttle: --seed expects a whole number from 0 to 4294967295, got "x"')
    expect(lines[1]).toBe('CliUsageError: --seed expects a whole number from 0 to 4294967295, got "x"')
  })
})

describe('a file that is not there is named, in the same words for every flag and command', () => {
  it.each([
    [['replay', 'gone.trace'], 'cannot read gone.trace: no such file'],
    [['size', 'gone.trace'], 'cannot read gone.trace: no such file'],
    [['merge', 'gone.jsonl'], 'cannot read gone.jsonl: no such file'],
    [['simulate', 'gone.json'], 'cannot read gone.json: no such file'],
    [['replay', TRACE, '--hold-from', 'gone.txt'], '--hold-from gone.txt: cannot read (no such file)'],
  ])('%j', async (argv, message) => {
    const { io, out } = memoryIo()
    expect(await main(argv, io)).toBe(1)
    expect(out).toMatchObject({ stdout: '', stderr: `dma-throttle: ${message}\n` })
  })

  it('--trace-out and --report into a missing directory say so alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dma-cli-'))
    try {
      const missing = join(dir, 'no', 'x')
      const trace = memoryIo({ files: { 'tiny.json': TINY_SPEC } })
      expect(await main(['simulate', 'tiny.json', '--trace-out', missing], trace.io)).toBe(1)
      expect(trace.out.stderr).toBe(
        `dma-throttle: --trace-out ${missing}: cannot write (no directory ${join(dir, 'no')})\n`,
      )
      const report = memoryIo({ files: { 'tiny.json': TINY_SPEC }, unwritable: { [missing]: 'ENOENT' } })
      expect(await main(['simulate', 'tiny.json', '--report', missing], report.io)).toBe(1)
      expect(report.out.stderr).toBe(
        `dma-throttle: --report ${missing}: cannot write (no directory ${join(dir, 'no')})\n`,
      )
    } finally {
      rmSync(dir, { recursive: true })
    }
  })
})

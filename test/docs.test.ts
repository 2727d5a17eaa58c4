// The docs against the code. Every TypeScript sample in README.md and docs/*.md typechecks against
// the public API, as a user would paste it: `import … from 'dma-throttle'` resolves to src/index.ts (tsconfig `paths`). A block
// that is a member's signature (`map(buf: …): Promise<Mapping>`) or an interface must be the same type
// as the one exported. Names a fragment takes for granted (`dma`, `buf`, `device`…) are declared once
// below; a sample's own declarations shadow them.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import * as lib from '../src/index.js'
import * as sim from '../src/sim/index.js'

const root = join(import.meta.dirname, '..')

interface Sample {
  where: string
  code: string
}

function samples(): Sample[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)]
  const out: Sample[] = []
  for (const file of files.filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(join(root, file), 'utf8')
    for (const m of text.matchAll(/^( *)```ts\n([\s\S]*?)^ *```$/gm)) {
      const line = text.slice(0, m.index).split('\n').length
      const indent = m[1]!.length
      const code = m[2]!
        .split('\n')
        .map((l) => l.slice(indent))
        .join('\n')
      // Two files in one block (`// worker.js`) are two samples.
      const parts = code.split(/^(?=\/\/ \w+\.js$)/m)
      parts.forEach((part, i) => {
        out.push({ where: `${file}:${line}${parts.length > 1 ? ` part ${i + 1}` : ''}`, code: part })
      })
    }
  }
  return out
}

/** The Swiotlb member a signature block documents, or the interface an interface block restates. */
function asCheck(code: string): string {
  const iface = /^interface (\w+) \{/m.exec(code)
  if (iface !== null) {
    const name = iface[1]!
    return [
      `import type { ${name} as Actual, TimerHandle } from 'dma-throttle'`,
      code.replace(`interface ${name}`, 'interface Doc'),
      'export const same: Equal<Doc, Actual> = true',
    ].join('\n')
  }
  const member = /^(\w+)(?:<\w+>)?\(/.exec(code)
  if (member !== null && !/\bconst\b|\bawait\b/.test(code)) {
    return [
      "import type { Mapping, MapOptions, Swiotlb } from 'dma-throttle'",
      `interface Doc {\n${code}\n}`,
      `export const same: Equal<Doc['${member[1]}'], Swiotlb['${member[1]}']> = true`,
    ].join('\n')
  }
  return code
}

const GLOBALS = `
import type { Swiotlb } from 'dma-throttle'
declare global {
  type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
  const dma: Swiotlb
  const buf: Uint8Array
  const url: URL
  const workerData: { handle: unknown; cpu: number }
  const device: { write(addr: number, bytes: Uint8Array): Promise<void>; read(addr: number, size: number): void }
  function crc32(bytes: Uint8Array): number
}
`

let built: { program: ts.Program; all: Sample[] } | undefined

/** One program: the public barrels, and every sample as a file of its own. */
function build(): { program: ts.Program; all: Sample[] } {
  if (built !== undefined) return built
  const all = samples()
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )!
  const virtual = new Map<string, string>()
  virtual.set(join(root, 'test', '__doc_globals.ts'), GLOBALS)
  all.forEach((s, i) => {
    virtual.set(samplePath(i), `${asCheck(s.code)}\nexport {}\n`)
  })
  const options = { ...config.options, noEmit: true }
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, lang, ...rest) => {
    const text = virtual.get(name)
    return text === undefined ? getSourceFile(name, lang, ...rest) : ts.createSourceFile(name, text, lang)
  }
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (name) => virtual.has(name) || fileExists(name)
  const barrels = [join(root, 'src', 'index.ts'), join(root, 'src', 'sim', 'index.ts')]
  built = { program: ts.createProgram([...barrels, ...virtual.keys()], options, host), all }
  return built
}

function samplePath(i: number): string {
  return join(root, 'test', `__doc_sample_${i}.ts`)
}

/** Every name a barrel exports, values and types. */
function exportsOf(file: string): string[] {
  const { program } = build()
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(join(root, file))!
  return checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((s) => s.name)
}

const doc = (file: string): string => readFileSync(join(root, file), 'utf8')
const named = (text: string, name: string): boolean => new RegExp(`\\b${name}\\b`).test(text)

describe('TypeScript samples in README.md and docs/', () => {
  it('finds the samples', () => {
    expect(build().all.length).toBeGreaterThanOrEqual(14)
  })

  it('each typechecks against the public API (a signature: the same type as the export)', () => {
    const { program, all } = build()
    const problems: string[] = []
    all.forEach((s, i) => {
      const file = program.getSourceFile(samplePath(i))!
      for (const d of ts.getPreEmitDiagnostics(program, file)) {
        problems.push(`${s.where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`)
      }
    })
    expect(problems).toEqual([])
  })
})

describe('docs/api.md names every public export', () => {
  it("of 'dma-throttle' (SharedSwiotlb's in docs/shared.md)", () => {
    const text = doc('docs/api.md') + doc('docs/shared.md')
    expect(exportsOf('src/index.ts').filter((name) => !named(text, name))).toEqual([])
  })

  it("of 'dma-throttle/sim', in its own section", () => {
    const api = doc('docs/api.md')
    const text = api.slice(api.indexOf('## dma-throttle/sim'))
    expect(exportsOf('src/sim/index.ts').filter((name) => !named(text, name))).toEqual([])
  })
})

describe('the error contract lists every exported error class with its code', () => {
  const classes = Object.entries({ ...lib, ...sim }).filter(
    ([, value]) => typeof value === 'function' && value.prototype instanceof Error,
  ) as [string, new (...args: unknown[]) => Error & { code?: unknown }][]

  // Any arguments do to read the code; FioJobError takes its list of problems first.
  const make = (C: new (...args: unknown[]) => Error & { code?: unknown }) => {
    try {
      return new C('x', [], 'z', 'w')
    } catch {
      return new C([])
    }
  }

  it('finds them', () => {
    expect(classes.length).toBeGreaterThanOrEqual(18)
  })

  it('each has a code, and a line of the docs gives both', () => {
    const text = doc('docs/api.md') + doc('docs/shared.md')
    const lines = text.split('\n')
    const missing: string[] = []
    for (const [name, ErrorClass] of classes) {
      const code = make(ErrorClass).code
      if (typeof code !== 'string') missing.push(`${name}: no code`)
      else if (!lines.some((l) => named(l, name) && l.includes(`\`${code}\``)))
        missing.push(`${name} ${code}`)
    }
    expect(missing).toEqual([])
  })
})

describe('options as documented', () => {
  it('`throttle: true` is refused by the type, as by the constructor (api.md: `false | ThrottleOptions`)', () => {
    // @ts-expect-error: `throttle` is `false | ThrottleOptions`
    expect(() => new lib.Swiotlb({ throttle: true })).toThrow(lib.ArgumentTypeError)
  })

  it('atomicPoolBytesFor: the kernel rule, and a coded error for a bad size', () => {
    // kernel/dma/pool.c dma_atomic_pool_init: 128 KiB per GiB, at least 128 KiB, at most 4 MiB.
    expect(lib.atomicPoolBytesFor(16 * 2 ** 30)).toBe(2 * 2 ** 20)
    expect(lib.atomicPoolBytesFor('16G')).toBe(2 * 2 ** 20)
    expect(lib.atomicPoolBytesFor(0)).toBe(128 * 1024)
    expect(lib.atomicPoolBytesFor(2 ** 40)).toBe(4 * 2 ** 20)
    for (const bad of [Number.NaN, -1, 1.5, 'lots', null]) {
      const error = (() => {
        try {
          lib.atomicPoolBytesFor(bad as number)
        } catch (e) {
          return e as { code?: string; message: string }
        }
      })()
      expect(error?.code).toMatch(/^ERR_(INVALID_ARG_TYPE|OUT_OF_RANGE)$/)
      expect(error?.message).toContain('memoryBytes')
    }
  })

  it("parseFioTimeUs: fio's time syntax, and SpecError for a bad value", () => {
    expect(sim.parseFioTimeUs('500ms', true)).toBe(500_000)
    expect(sim.parseFioTimeUs('10', true)).toBe(10_000_000)
    expect(sim.parseFioTimeUs('10', false)).toBe(10)
    for (const bad of ['10sec', 'abc', '', '0.5s', 5, undefined]) {
      expect(() => sim.parseFioTimeUs(bad as string, true)).toThrow(sim.SpecError)
    }
    expect(() => sim.parseFioTimeUs('1s', 'yes' as unknown as boolean)).toThrow(sim.SpecError)
  })
})

describe('the CLI flags, in --help and in docs/simulation.md', () => {
  it('every flag a command takes is in both, and every flag they name exists', async () => {
    const { COMMAND_FLAGS } = await import('../src/cli/command-flags.js')
    const { HELP } = await import('../src/cli/commands/help.js')
    const flags = new Set(Object.values(COMMAND_FLAGS).flatMap((c) => [...c.takes] as string[]))
    flags.delete('--')
    const text = doc('docs/simulation.md')
    const table = text.slice(text.indexOf('| command | takes'), text.indexOf('**What the argument names.**'))
    for (const flag of flags) {
      expect(HELP, flag).toContain(`  ${flag} `)
      expect(text.slice(0, text.indexOf('| command | takes')), flag).toContain(`\`${flag}`)
    }
    const named = (t: string) => new Set([...t.matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0]))
    // --name and --rw are fio's, in the usage line of fio's command line.
    const known = new Set([...flags, '--help', '--version', '--name', '--rw'])
    expect([...named(HELP)].filter((f) => !known.has(f))).toEqual([])
    expect([...named(table)].filter((f) => !known.has(f))).toEqual([])
  })
})

describe('the output of `npm start` in the docs is the current output', () => {
  it('every block that shows its table shows lines of it, in order (README, simulation.md, policies.md)', async () => {
    const { main } = await import('../src/cli/main.js')
    const { memoryIo } = await import('./sim/cli-io.js')
    const { io, out } = memoryIo()
    expect(await main(['simulate'], io)).toBe(0)
    const lines = out.stdout.split('\n')
    const header = lines.find((l) => l.startsWith('policy ') && l.includes('I/Os'))!
    let blocks = 0
    for (const file of ['README.md', 'docs/simulation.md', 'docs/policies.md']) {
      // Every fence, with a language or not, so that a closing fence never opens a block.
      for (const m of doc(file).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
        const shown = m[2]!.split('\n').filter((l) => l !== '')
        if (!shown.includes(header)) continue
        blocks++
        let at = 0
        for (const line of shown) {
          const found = lines.indexOf(line, at)
          expect(found, `${file}: ${line}`).toBeGreaterThanOrEqual(0)
          at = found + 1
        }
      }
    }
    expect(blocks).toBeGreaterThanOrEqual(7)
  })
})

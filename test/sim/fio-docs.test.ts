import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { allOptions } from '../../src/sim/index.js'

// docs/simulation.md's supported-subset table lists every fio option the reader knows, in its class.
describe('the supported-subset table', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'simulation.md'), 'utf8')
  const rows = doc
    .split('\n')
    .filter((l) => /^\| `/.test(l) && / \| (modelled|no effect|refused) \| /.test(l))

  it('has a row for every option, in the class the reader gives it', () => {
    const classOf = new Map<string, string>()
    for (const row of rows) {
      const [names = '', cls = ''] = row.slice(2).split(' | ')
      for (const m of names.matchAll(/`([^`]+)`/g)) classOf.set(m[1]!, cls)
    }
    const wrong = allOptions()
      .filter((o) => classOf.get(o.name) !== (o.kind === 'no-effect' ? 'no effect' : o.kind))
      .map((o) => `${o.name}: ${o.kind} in code, ${classOf.get(o.name) ?? 'missing'} in the docs`)
    expect(wrong).toEqual([])
  })
})

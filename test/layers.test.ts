import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// DESIGN §9: clock ← allocator ← throttle/growth ← stats ← swiotlb ← sim ← report ← cli.
// A layer is a folder of src/; the two files at the top are ranked with the layer they belong to.
// A module may import only from its own layer or a lower one; the core never imports sim, report or cli.
const RANK: Record<string, number> = {
  'errors.ts': 0, // the error classes every layer throws
  clock: 0,
  allocator: 1,
  throttle: 2,
  growth: 2,
  stats: 3,
  swiotlb: 4,
  'index.ts': 4, // the public barrel, over the facade
  shared: 4, // the pool shared by worker threads: beside the facade, on the same layers
  sim: 5,
  report: 6,
  cli: 7,
}

function layerOf(file: string): string {
  return file.split('/')[0]!
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : []
  })
}

describe('layers (DESIGN §9)', () => {
  const src = join(import.meta.dirname, '..', 'src')
  const files = walk(src).map((f) => relative(src, f))

  it('every file of src/ is in a ranked layer', () => {
    expect(files.filter((f) => RANK[layerOf(f)] === undefined)).toEqual([])
  })

  it('every import points down or sideways', () => {
    const violations: string[] = []
    for (const file of files) {
      const from = layerOf(file)
      const text = readFileSync(join(src, file), 'utf8')
      for (const match of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(src, join(src, file, '..', match[1]!))
        const to = layerOf(target)
        if (RANK[to]! > RANK[from]!) violations.push(`${file} (${from}) imports ${target} (${to})`)
      }
    }
    expect(violations).toEqual([])
  })

  it('rxjs is imported in one file only', () => {
    const importers = files.filter((f) => /from 'rxjs'/.test(readFileSync(join(src, f), 'utf8')))
    expect(importers).toEqual(['stats/rx.ts'])
  })

  it('only the real clock touches host timers', () => {
    const offenders = files.filter(
      (f) =>
        f !== 'clock/real-clock.ts' &&
        /\b(setTimeout|setInterval|setImmediate|performance\.now|Date\.now)\(/.test(
          readFileSync(join(src, f), 'utf8'),
        ),
    )
    expect(offenders).toEqual([])
  })
})

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as lib from '../src/index.js'

type AsyncFn = new (...args: string[]) => (...args: unknown[]) => Promise<unknown>
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as AsyncFn

describe('README', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8')
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)

  it('has a TypeScript example, and it runs against the library', async () => {
    expect(blocks.length).toBeGreaterThan(0)
    for (const block of blocks) {
      const body = block.replace(/^import \{([^}]+)\} from 'dma-throttle'$/m, 'const {$1} = lib')
      expect(body).not.toMatch(/^import /m)
      await new AsyncFunction('lib', body)(lib)
    }
  })

  it('gives the two quick-start commands', () => {
    expect(readme).toContain('npm install && npm start')
    expect(readme).toContain('npm test')
  })
})

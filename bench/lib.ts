import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type * as Library from '../src/index.js'

/**
 * The library under test. `BENCH_SRC=/tmp/scratch/src npm run bench` benchmarks a patched copy of src/
 * instead, so that a proposed change can be measured against the anchors without touching the tree.
 * A compiled tree works too (`BENCH_SRC=dist`): its profiles then carry the real line numbers.
 */
const srcDir = process.env['BENCH_SRC']
const ext = srcDir !== undefined && !existsSync(resolve(srcDir, 'index.ts')) ? 'js' : 'ts'

export const lib: typeof Library = await import(
  srcDir === undefined ? '../src/index.js' : pathToFileURL(resolve(srcDir, `index.${ext}`)).href
)

/** URL of the simulator's barrel (`dma-throttle/sim`), in the same source tree as `lib`. */
export const simUrl: string =
  srcDir === undefined
    ? new URL('../src/sim/index.ts', import.meta.url).href
    : pathToFileURL(resolve(srcDir, `sim/index.${ext}`)).href

export const libSource: string = srcDir === undefined ? 'src/' : srcDir

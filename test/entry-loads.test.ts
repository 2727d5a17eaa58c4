import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const HOOK = join(import.meta.dirname, 'helpers', 'record-loads.mjs')

/** The packages under node_modules whose modules a fresh Node process loads to run `code` (ESM). */
async function packagesLoadedBy(code: string): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'dma-throttle-loads-')), 'loads.txt')
  writeFileSync(file, '')
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--import', HOOK, '--input-type=module', '-e', code],
    { cwd: ROOT, env: { ...process.env, RECORD_LOADS: file } },
  )
  const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean)
  expect(urls.some((url) => url.includes('/src/'))).toBe(true) // the recorder saw the entry load
  const names = urls.map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
  return [...new Set(names.filter((name) => name !== undefined))].sort()
}

const CHART_CODE = ['echarts', 'zrender']

describe('what an import loads (the library loads no chart code)', () => {
  it("import 'dma-throttle' loads neither echarts nor zrender", async () => {
    const loaded = await packagesLoadedBy("await import('./src/index.ts')")
    expect(loaded).toContain('rxjs') // the streams: a runtime dependency, loaded
    for (const name of CHART_CODE) expect(loaded).not.toContain(name)
  })

  it("import 'dma-throttle/sim' loads neither echarts nor zrender", async () => {
    const loaded = await packagesLoadedBy("await import('./src/sim/index.ts')")
    expect(loaded).toContain('p-limit') // the device queues
    for (const name of CHART_CODE) expect(loaded).not.toContain(name)
  })

  it('the report loads echarts when it draws a chart, and only then', async () => {
    const load = "const { renderChart } = await import('./src/report/charts.ts')"
    const draw = "await renderChart({ title: '', caption: '', width: 200, height: 100, option: {} })"
    expect(await packagesLoadedBy(load)).not.toContain('echarts')
    expect(await packagesLoadedBy(`${load}\n${draw}`)).toEqual(expect.arrayContaining(CHART_CODE))
  })
})

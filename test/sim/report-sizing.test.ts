import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { PROGRESS_EVERY_MS } from '../../src/cli/progress.js'
import { MIB } from '../../src/report/charts.js'
import { SIZING_LAYOUT } from '../../src/report/sizing-chart.js'
import { findPolicy } from '../../src/sim/index.js'
import { launchChromium } from '../helpers/chromium.js'
import { memoryIo } from './cli-io.js'
import { countPixels, decodePng, rgb } from './report-png.js'
import { TINY_SPEC } from './tiny-spec.js'

const GRID = ['tiny.json', '--pools', '1M,2M,3M,4M,5M', '--seeds', '2']

async function cli(
  args: string[],
  files: Record<string, string> = {},
  io = memoryIo({ files: { 'tiny.json': TINY_SPEC, ...files } }),
) {
  const code = await main(args, io.io)
  return { code, ...io.out }
}

let sizeHtml: string
let sizeJson: { policies: Record<string, { minPoolBytes: number }> }

beforeAll(async () => {
  const one = await cli(['size', 'tiny.json', '--seeds', '2', '--jobs', '1', '--json', '--report', 'a.html'])
  expect(one.code).toBe(0)
  expect(one.stderr).toContain('report written to a.html')
  sizeHtml = one.written.get('a.html')!
  sizeJson = JSON.parse(one.stdout)
}, 120_000)

describe('size --report and sweep --report: the sizing chart', () => {
  it('size writes the same page whatever --jobs', async () => {
    const two = await cli(['size', 'tiny.json', '--seeds', '2', '--jobs', '2', '--report', 'b.html'])
    expect(two.code).toBe(0)
    expect(two.stdout).toContain('\nreport written to b.html\n')
    expect(two.written.get('b.html')).toBe(sizeHtml)
    expect(sizeHtml).toContain('id="sizing-0"')
    expect(sizeHtml).toMatch(/fail: swiotlb=\d+/)
  }, 120_000)

  it('sweep writes the page merge writes from the shards, byte for byte', async () => {
    const whole = await cli(['sweep', ...GRID, '--jobs', '2', '--report', 'w.html'])
    expect(whole.code).toBe(0)
    const shards: Record<string, string> = {}
    for (let i = 1; i <= 3; i++) {
      const shard = await cli(['sweep', ...GRID, '--shard', `${i}/3`, '--jobs', '1'])
      shards[`s${i}.jsonl`] = shard.stdout
    }
    const merged = await cli(['merge', 's2.jsonl', 's3.jsonl', 's1.jsonl', '--report', 'm.html'], shards)
    expect(merged.code).toBe(0)
    expect(merged.written.get('m.html')).toBe(whole.written.get('w.html'))
    const refused = await cli(['sweep', ...GRID, '--shard', '1/3', '--report', 'x.html'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toBe(
      'dma-throttle: sweep --report draws the whole grid: give --report to merge, with the shards (--shard 1/3 runs a slice of it)\n',
    )
  }, 120_000)

  it('shows the knee in headless Chromium: both panels drawn, the answer marked (screenshot test)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dma-throttle-size-report-'))
    const file = join(dir, 'size.html')
    writeFileSync(file, sizeHtml)
    const browser = await launchChromium()
    try {
      const page = await browser.newPage({ viewport: { width: 1240, height: 900 } })
      await page.route(/^(?!file:)/, (route) => route.abort())
      await page.goto(`file://${file}`)
      const box = (await page.locator('#sizing-0 svg').boundingBox())!
      expect(box.width).toBe(SIZING_LAYOUT.width)
      const shot = decodePng(await page.screenshot({ path: join(dir, 'size.png'), fullPage: true }))
      const L = SIZING_LAYOUT
      const plotWidth = L.width - L.left - L.right
      for (const panel of [L.top, L.bottom]) {
        const area = { x: box.x + L.left, y: box.y + panel.top, width: plotWidth, height: panel.height }
        const { ink, total } = countPixels(shot, area)
        expect(ink / total).toBeGreaterThan(0.02)
      }
      // fail's answer is a vertical line in its colour, the whole height of the top panel, where the
      // x axis' own tick labels (powers of two, log scale) put that size.
      const ticks = await page.locator('#sizing-0 svg text').evaluateAll((texts) =>
        texts.map((t) => {
          const r = t.getBoundingClientRect()
          return { text: t.textContent ?? '', x: r.x + r.width / 2 + window.scrollX, y: r.y + window.scrollY }
        }),
      )
      const axisY = box.y + L.top.top + L.top.height
      const labels = ticks
        .filter((t) => /^\d+K?$/.test(t.text) && t.y > axisY && t.y < axisY + 20)
        .map((t) => ({
          mib: t.text.endsWith('K') ? Number.parseInt(t.text, 10) / 1024 : Number(t.text),
          x: t.x,
        }))
      expect(labels.length).toBeGreaterThanOrEqual(3)
      const [first, last] = [labels[0]!, labels.at(-1)!]
      const answer = sizeJson.policies['fail']!.minPoolBytes / MIB
      const x =
        first.x + (Math.log2(answer / first.mib) / Math.log2(last.mib / first.mib)) * (last.x - first.x)
      const column = { x: x - 2, y: box.y + L.top.top, width: 5, height: L.top.height }
      const red = rgb(findPolicy('fail')!.color)
      expect(countPixels(shot, column, red, 30).matching).toBeGreaterThan(0.8 * L.top.height)
      // A column away from every answer has no such line.
      const elsewhere = { ...column, x: box.x + L.left + 0.02 * plotWidth }
      expect(countPixels(shot, elsewhere, red, 30).matching).toBeLessThan(0.2 * L.top.height)
    } finally {
      await browser.close()
    }
  }, 60_000)
})

describe('progress of a long sweep', () => {
  it('prints a periodic line with the time left when stderr is not a terminal (host clock injected)', async () => {
    let now = 0
    const io = memoryIo({ files: { 'tiny.json': TINY_SPEC } })
    // Every look at the clock is a second later: the runs of the sweep take "seconds" each.
    const clocked = { ...io, io: { ...io.io, now: () => (now += 1000) } }
    const r = await cli(['sweep', ...GRID, '--jobs', '1'], {}, clocked)
    expect(r.code).toBe(0)
    const lines = r.stderr.split('\n').filter(Boolean)
    expect(lines.length).toBeGreaterThanOrEqual(2)
    for (const line of lines)
      expect(line).toMatch(/^dma-throttle: \d+% after \d+ s, (about \d+ s left, )?sweep$/)
    expect(lines[0]).toMatch(/^dma-throttle: \d+% after 5 s, about \d+ s left, sweep$/)
    expect(PROGRESS_EVERY_MS).toBe(5000)
  }, 120_000)

  it('prints nothing for a sweep shorter than the period, and a bar with an ETA on a terminal', async () => {
    const still = memoryIo({ files: { 'tiny.json': TINY_SPEC } })
    const quiet = await cli(
      ['sweep', ...GRID, '--jobs', '1'],
      {},
      { ...still, io: { ...still.io, now: () => 0 } },
    )
    expect(quiet.stderr).toBe('')
    let now = 0
    const tty = memoryIo({ files: { 'tiny.json': TINY_SPEC }, isTTY: true })
    const bar = await cli(
      ['sweep', ...GRID, '--jobs', '1'],
      {},
      { ...tty, io: { ...tty.io, now: () => (now += 1000) } },
    )
    expect(bar.stderr.replaceAll('\x1b[K', '')).toMatch(/\r█+░* +\d+% {2}sweep {2}\d+ s, ETA \d+ s/)
    expect(bar.stderr.endsWith('\r\x1b[K')).toBe(true)
  }, 120_000)
})

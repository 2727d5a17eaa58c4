import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ERROR_COLOR } from '../../src/report/charts.js'
import { renderReport } from '../../src/report/html.js'
import { buildReportModel, type ReportModel } from '../../src/report/model.js'
import { findPolicy, findScenario, parseSpec, runSpec } from '../../src/sim/index.js'
import { launchChromium } from '../helpers/chromium.js'
import { countPixels, decodePng, rgb } from './report-png.js'

let model: ReportModel
let html: string

beforeAll(async () => {
  const scenario = findScenario('dmabuf-hog')
  const spec = parseSpec(scenario.spec)
  const result = await runSpec({ ...spec, policies: ['fail', 'rfc', 'throttle', 'hybrid'] })
  model = buildReportModel(result, spec, scenario)
  html = await renderReport(model)
}, 60_000)

/** Every figure of the page: its id or title, and where it sits, CSS px. */
async function figures(page: Page) {
  return page.locator('figure').evaluateAll((nodes) =>
    nodes.map((node) => {
      const box = node.querySelector('svg')!.getBoundingClientRect()
      const title = node.querySelector('figcaption b')?.textContent ?? ''
      return {
        title,
        x: box.x + window.scrollX,
        y: box.y + window.scrollY,
        width: box.width,
        height: box.height,
      }
    }),
  )
}

describe('HTML report', () => {
  it('is one self-contained page: inline SVG charts, no script, no external reference', () => {
    // A usage chart per policy, the queue, the completion-latency CDF, map wait, pool bytes.
    expect(html.match(/<svg/g)).toHaveLength(4 + 4)
    expect(html).not.toMatch(/<script|<link|<img|@import|url\((?!#)/i)
    expect(html).not.toMatch(/(src|href)=/i)
    expect(html).toContain('threshold') // throttle and hybrid draw their high mark
    expect(html).toContain('Claim held ✓')
    expect(model.claim?.verdict.verdict).toBe('held')
  })

  it('renders in headless Chromium without a network request; every chart has ink where it should (screenshot test)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dma-throttle-report-'))
    const file = join(dir, 'report.html')
    writeFileSync(file, html)
    const browser = await launchChromium()
    try {
      const page = await browser.newPage({ viewport: { width: 1240, height: 900 } })
      const requests: string[] = []
      page.on('request', (request) => requests.push(request.url()))
      await page.route(/^(?!file:)/, (route) => route.abort())
      await page.goto(`file://${file}`)
      expect(requests).toEqual([`file://${file}`])
      const boxes = await figures(page)
      expect(boxes.map((b) => b.title)).toEqual([
        'fail',
        'rfc',
        'throttle',
        'hybrid',
        'Wait-queue length over time',
        'Completion latency CDF',
        'Map wait percentiles',
        'Pool bytes',
      ])
      // Two charts side by side: the usage charts of fail and rfc share a row.
      expect(boxes[1]!.y).toBe(boxes[0]!.y)
      expect(boxes[1]!.x).toBeGreaterThan(boxes[0]!.x + 500)
      expect(await page.locator('table').first().locator('tbody tr').count()).toBe(4)
      const png = await page.screenshot({ path: join(dir, 'report.png'), fullPage: true })
      const shot = decodePng(png)
      expect(shot.width).toBe(1240)
      for (const box of boxes) {
        expect(box.width).toBeGreaterThan(500)
        expect(box.height).toBeGreaterThan(200)
        const { ink, total } = countPixels(shot, box)
        expect(ink / total, box.title).toBeGreaterThan(0.02)
      }
      // Each usage chart is filled in its policy's colour (at the area's 25 % opacity), in its plot area.
      for (const box of boxes.slice(0, 4)) {
        const plot = { x: box.x + 52, y: box.y + 36, width: box.width - 72, height: box.height - 80 }
        const fill = rgb(findPolicy(box.title)!.color).map((c) => Math.round(0.25 * c + 0.75 * 255)) as [
          number,
          number,
          number,
        ]
        expect(countPixels(shot, plot, fill, 8).matching, box.title).toBeGreaterThan(2000)
      }
      // Error marks: fail's chart has them along its top edge, hybrid's (no errors) has none.
      const strip = (box: (typeof boxes)[number]) => ({
        x: box.x + 52,
        y: box.y + 36,
        width: box.width - 72,
        height: 18,
      })
      const red = rgb(ERROR_COLOR)
      expect(countPixels(shot, strip(boxes[0]!), red, 30).matching).toBeGreaterThan(30)
      expect(countPixels(shot, strip(boxes[3]!), red, 30).matching).toBe(0)
      // The claim box is green: it held.
      const claim = await page.locator('#claim').boundingBox()
      expect(countPixels(shot, { ...claim!, width: 6 }, rgb('#1e8449'), 20).matching).toBeGreaterThan(40)
      const height = await page.evaluate(() => document.body.scrollHeight)
      expect(height).toBeGreaterThan(1500)
    } finally {
      await browser.close()
    }
  }, 60_000)
})

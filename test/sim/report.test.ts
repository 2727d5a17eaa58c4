import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderReport } from '../../src/report/html.js'
import { buildReportModel } from '../../src/report/model.js'
import { findScenario, parseSpec, runSpec } from '../../src/sim/index.js'
import { launchChromium } from '../helpers/chromium.js'

async function dmabufReport(): Promise<string> {
  const scenario = findScenario('dmabuf-hog')
  const spec = parseSpec(scenario.spec)
  const result = await runSpec({ ...spec, policies: ['fail', 'throttle', 'hybrid'] })
  return renderReport(buildReportModel(result, spec, scenario))
}

describe('HTML report', () => {
  it('is one self-contained page: inline SVG charts, no script, no external reference', async () => {
    const html = await dmabufReport()
    expect(html.match(/<svg/g)).toHaveLength(3 + 3) // a usage chart per policy, queue, map wait, pool bytes
    expect(html).not.toMatch(/<script|<link|<img|@import|url\((?!#)/i)
    expect(html).not.toMatch(/(src|href)=/i)
    expect(html).toContain('Claim checked:')
    expect(html).toContain('threshold') // throttle and hybrid draw their high mark
  })

  it('renders in headless Chromium without a network request (screenshot test)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dma-throttle-report-'))
    const file = join(dir, 'report.html')
    writeFileSync(file, await dmabufReport())
    const browser = await launchChromium()
    try {
      const page = await browser.newPage({ viewport: { width: 1240, height: 900 } })
      const requests: string[] = []
      page.on('request', (request) => requests.push(request.url()))
      await page.route(/^(?!file:)/, (route) => route.abort())
      await page.goto(`file://${file}`)
      expect(requests).toEqual([`file://${file}`])
      const boxes = await page.locator('svg').evaluateAll((svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect()
          return { width: box.width, height: box.height, paths: svg.querySelectorAll('path').length }
        }),
      )
      expect(boxes).toHaveLength(6)
      for (const box of boxes) {
        expect(box.width).toBeGreaterThan(500)
        expect(box.height).toBeGreaterThan(200)
        expect(box.paths).toBeGreaterThan(5)
      }
      expect(await page.locator('table').first().locator('tbody tr').count()).toBe(3)
      const png = await page.screenshot({ path: join(dir, 'report.png'), fullPage: true })
      expect(png.length).toBeGreaterThan(50_000)
      // The page is wider than tall per chart row: every chart got laid out, none collapsed.
      const height = await page.evaluate(() => document.body.scrollHeight)
      expect(height).toBeGreaterThan(1500)
    } finally {
      await browser.close()
    }
  })
})

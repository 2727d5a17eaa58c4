import { type ChartSpec, renderChart } from './charts.js'
import type { ClaimVerdict } from './claim-checks.js'
import { escapeHtml } from './format.js'

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1180px; color: #1b2631; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d5d8dc; padding-bottom: 4px; }
.sub { color: #566573; margin: 0 0 12px; }
.box { background: #f4f6f7; border-left: 6px solid #2471a3; padding: 8px 12px; margin: 12px 0; }
.box small { display: block; color: #566573; margin-top: 4px; }
.box.held { border-color: #1e8449; background: #eafaf1; }
.box.failed { border-color: #c0392b; background: #fdedec; }
.box.unchecked { border-color: #909497; }
.verdict { font-size: 16px; font-weight: bold; margin-right: 6px; }
.held .verdict { color: #1e8449; }
.failed .verdict { color: #c0392b; }
.ok { color: #1e8449; }
.bad { color: #c0392b; font-weight: bold; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eaecee; text-align: right; white-space: nowrap; }
th { background: #f8f9f9; }
td:first-child, th:first-child, .text { text-align: left; }
.grid { display: flex; flex-wrap: wrap; gap: 12px 20px; }
figure { margin: 0; }
figcaption { font-size: 12px; color: #566573; margin: 2px 0 10px; }
figcaption b { color: #1b2631; }
ul { margin: 4px 0; padding-left: 20px; font-size: 13px; }
pre { font-size: 13px; background: #f8f9f9; padding: 8px 12px; overflow-x: auto; }
footer { margin-top: 32px; font-size: 12px; color: #808b96; }
`

export function tableHtml(header: readonly string[], rows: readonly string[][], textColumns = 1): string {
  const cell = (tag: string, text: string, i: number) =>
    `<${tag}${i < textColumns ? ' class="text"' : ''}>${escapeHtml(text)}</${tag}>`
  const head = header.map((h, i) => cell('th', h, i)).join('')
  const body = rows.map((r) => `<tr>${r.map((c, i) => cell('td', c, i)).join('')}</tr>`).join('\n')
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`
}

/** A chart and its caption, as wide as the chart (a long caption wraps rather than widening it). */
export async function figure(chart: ChartSpec, id: string): Promise<string> {
  const svg = await renderChart(chart, id)
  return `<figure id="${id}" style="width:${chart.width}px">${svg}<figcaption><b>${escapeHtml(chart.title)}</b> — ${escapeHtml(chart.caption)}</figcaption></figure>`
}

const VERDICT_CLASS = { held: 'held', 'did not hold': 'failed', 'not checked': 'unchecked' } as const
const VERDICT_TEXT = {
  held: 'Claim held ✓',
  'did not hold': 'Claim did not hold ✗',
  'not checked': 'Claim not checked',
}

/** The claim box: the verdict first, the claim, then what the run showed for each part of it. */
export function claimBox(claim: string, source: string, verdict: ClaimVerdict): string {
  const items = verdict.findings.map(
    (f) =>
      `<li><span class="${f.ok ? 'ok' : 'bad'}">${f.ok ? '✓' : '✗'}</span> ${escapeHtml(f.says)}: ${escapeHtml(f.shows)}</li>`,
  )
  for (const u of verdict.unchecked) items.push(`<li>– not checked: ${escapeHtml(u)}</li>`)
  return (
    `<div class="box ${VERDICT_CLASS[verdict.verdict]}" id="claim"><span class="verdict">${VERDICT_TEXT[verdict.verdict]}</span>` +
    `${escapeHtml(claim)}<ul>${items.join('')}</ul><small>${escapeHtml(source)}</small></div>`
  )
}

/** A whole report page: inline CSS and inline SVG, no script, no network request of any kind. */
export function page(title: string, subtitle: string, body: string, footer: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(subtitle)}</p>
${body}
<footer>${footer} Bytes in MiB = 2<sup>20</sup>. Charts rendered with Apache ECharts' server-side SVG renderer.</footer>
</body>
</html>
`
}

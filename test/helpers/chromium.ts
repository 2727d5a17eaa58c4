/**
 * The headless Chromium of the report's screenshot test. By default it is the one `npm install` brings:
 * `@sparticuz/chromium` ships a Chromium headless shell inside its npm package (brotli-compressed) and
 * unpacks it on first use; nothing is downloaded. `DMA_THROTTLE_CHROMIUM=/path/to/chromium` uses a
 * browser of your own instead (never required).
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'

/** The environment variable that names a Chromium of the user's own. */
export const CHROMIUM_ENV = 'DMA_THROTTLE_CHROMIUM'

/**
 * Flags that keep Chromium quiet on a machine with no network: no GPU, no QUIC, no background fetches,
 * no component updates, no sync. Playwright adds `--headless` and a fresh, empty `--user-data-dir` of
 * its own to every launch (it refuses one in `args`).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Where the packaged Chromium is unpacked: one folder per package version, shared by every run. */
function unpackDir(): string {
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium')
  const manifest = join(dirname(entry), '..', '..', 'package.json')
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }
  return join(tmpdir(), `dma-throttle-chromium-${version}`)
}

/**
 * Unpacks the packaged Chromium once and returns its path. The package unpacks into `os.tmpdir()`
 * (its binary, next to the SwiftShader libraries it loads) and trusts whatever it finds there, so a
 * run killed halfway, or another version unpacked before, would poison every later run. Instead it
 * unpacks into a private folder (TMPDIR points there for the call) that is renamed into place in one
 * step: a folder of that name is always complete.
 */
async function packagedChromium(): Promise<string> {
  const dir = unpackDir()
  const binary = join(dir, 'chromium')
  if (existsSync(binary)) return binary
  const staging = mkdtempSync(`${dir}.partial-`)
  const saved = process.env.TMPDIR
  try {
    process.env.TMPDIR = staging
    const { default: Chromium } = await import('@sparticuz/chromium')
    await Chromium.executablePath()
  } finally {
    if (saved === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = saved
  }
  try {
    renameSync(staging, dir)
  } catch (error) {
    rmSync(staging, { recursive: true, force: true })
    if (!existsSync(binary)) throw error // not a concurrent run that finished first
  }
  return binary
}

/** The Chromium to drive: the user's, when `DMA_THROTTLE_CHROMIUM` names one, else the packaged one. */
export async function chromiumPath(): Promise<string> {
  const own = process.env[CHROMIUM_ENV]
  if (own === undefined || own === '') return packagedChromium()
  if (!existsSync(own)) throw new Error(`${CHROMIUM_ENV}=${own}: no such file`)
  return own
}

/** Launches headless Chromium with playwright-core. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: CHROMIUM_ARGS })
}

import { readFile } from 'node:fs/promises'

/**
 * The package's version, read from package.json at run time. `src/cli/` (under tsx) and `dist/cli/`
 * (installed) both sit two folders below the package root, so one relative URL serves both.
 */
export async function packageVersion(): Promise<string> {
  const url = new URL('../../package.json', import.meta.url)
  const json: unknown = JSON.parse(await readFile(url, 'utf8'))
  const version = (json as { version?: unknown }).version
  if (typeof version !== 'string') throw new Error(`no version in ${url.pathname}`)
  return version
}

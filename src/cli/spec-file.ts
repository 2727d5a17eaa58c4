import { parse } from 'node:path'
import { parseSpec, SCENARIOS, type SimSpec, UnknownScenarioError } from '../sim/index.js'
import { CliInputError } from './errors.js'
import { readProblem } from './file-errors.js'
import type { CliIo } from './io.js'
import { didYouMean } from './nearest.js'

/**
 * Reads a spec file, whatever its name (`spec.json`, `jobs.fio`, `jobfile`, `x.job`, `x.ini`). A name
 * that is no file and does not look like a path (no `/`, no `.`) was meant as a scenario: the error
 * then lists the scenarios.
 */
export async function readSpecFile(path: string, io: CliIo): Promise<string> {
  try {
    return await io.readFile(path)
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ENOENT' && !/[./\\]/.test(path)) {
      const names = SCENARIOS.map((s) => s.name)
      const unknown = new UnknownScenarioError(path, names)
      unknown.message += `, or a spec file (there is no file ${JSON.stringify(path)})`
      const hint = didYouMean(path, names)
      if (hint !== undefined) unknown.message += `; ${hint}`
      throw unknown
    }
    throw new CliInputError(`cannot read ${path}: ${readProblem(error)}`)
  }
}

/** A JSON spec when the text (after a byte-order mark and white space) starts with `{`; else a fio job file. */
export function isJsonText(text: string): boolean {
  return text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('{')
}

/** A JSON spec from a file's text; JSON errors keep their message; named after the file unless it names itself. */
export function specFromJson(text: string, path: string): SimSpec {
  let json: unknown
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new CliInputError(`invalid JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  const spec = parseSpec(json)
  return spec.name === 'spec' ? { ...spec, name: parse(path).name } : spec
}

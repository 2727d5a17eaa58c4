import { basename } from 'node:path'
import {
  DEFAULT_SCENARIO,
  findScenario,
  POLICY_NAMES,
  type PolicyName,
  parsePool,
  parseSpec,
  type Scenario,
  type SimSpec,
} from '../sim/index.js'
import type { ParsedArgs } from './args.js'
import { isFioInput, readFioInput } from './commands/fio-input.js'
import { CliInputError, CliUsageError } from './errors.js'
import type { CliIo } from './io.js'

/** What `simulate` and `size` run: a spec, and the scenario it came from (if any). */
export interface Target {
  spec: SimSpec
  scenario: Scenario | undefined
}

/**
 * A scenario name, a JSON spec file (`*.json`), a fio job file (`*.fio`) or fio arguments after `--`.
 * Spec problems keep their message and get the file name in front.
 */
export async function resolveTarget(arg: string | undefined, io: CliIo, args?: ParsedArgs): Promise<Target> {
  if (args !== undefined && isFioInput(arg, args)) {
    return { spec: (await readFioInput(arg, args, io)).spec, scenario: undefined }
  }
  if (args !== undefined && (args.fioArgs.length > 0 || args.strict || args.runtime !== undefined)) {
    throw new CliUsageError('fio arguments after --, --strict and --runtime go with a .fio job file or alone')
  }
  const name = arg ?? DEFAULT_SCENARIO
  if (!name.endsWith('.json')) {
    const scenario = findScenario(name)
    return { spec: parseSpec(scenario.spec), scenario }
  }
  const text = await read(name, io)
  try {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      throw new CliInputError(`invalid JSON (${error instanceof Error ? error.message : String(error)})`)
    }
    const spec = parseSpec(json)
    return {
      spec: spec.name === 'spec' ? { ...spec, name: basename(name, '.json') } : spec,
      scenario: undefined,
    }
  } catch (error) {
    if (error instanceof Error) error.message = `${name}: ${error.message}`
    throw error
  }
}

async function read(path: string, io: CliIo): Promise<string> {
  try {
    return await io.readFile(path)
  } catch (error) {
    const code = (error as { code?: string }).code
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (code ?? 'unreadable')
    throw new CliInputError(`cannot read ${path}: ${why}`)
  }
}

/** Applies --pool and --policies to a spec. */
export function applyOverrides(
  spec: SimSpec,
  pool: string | undefined,
  policies: string[] | undefined,
): SimSpec {
  let out = spec
  if (pool !== undefined) {
    const parsed = parsePool({ size: pool }, spec.cpus)
    out = { ...out, pool: { size: parsed.size, areas: Math.min(spec.pool.areas, parsed.areas) } }
  }
  if (policies !== undefined) {
    for (const p of policies) {
      if (!(POLICY_NAMES as readonly string[]).includes(p)) {
        throw new CliUsageError(
          `--policies: unknown policy ${JSON.stringify(p)} (expected ${POLICY_NAMES.join(', ')})`,
        )
      }
    }
    out = { ...out, policies: [...new Set(policies)] as PolicyName[] }
  }
  return out
}

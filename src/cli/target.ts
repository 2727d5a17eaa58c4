import { basename } from 'node:path'
import {
  DEFAULT_SCENARIO,
  findPolicy,
  findScenario,
  POLICY_NAMES,
  parsePool,
  parseSpec,
  type Scenario,
  type SimSpec,
  specFromFioJobFile,
} from '../sim/index.js'
import { CliInputError, CliUsageError } from './errors.js'
import type { CliIo } from './io.js'

/** What `simulate` and `size` run: a spec, and the scenario it came from (if any). */
export interface Target {
  spec: SimSpec
  scenario: Scenario | undefined
}

/**
 * A scenario name, a JSON spec file (`*.json`) or a fio job file (`*.fio`). Spec problems keep their
 * message and get the file name in front.
 */
export async function resolveTarget(arg: string | undefined, io: CliIo): Promise<Target> {
  const name = arg ?? DEFAULT_SCENARIO
  if (!name.endsWith('.json') && !name.endsWith('.fio')) {
    const scenario = findScenario(name)
    return { spec: parseSpec(scenario.spec), scenario }
  }
  const text = await read(name, io)
  try {
    if (name.endsWith('.fio')) {
      return { spec: specFromFioJobFile(text, basename(name, '.fio')), scenario: undefined }
    }
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
    const names = policies.map((p) => {
      const policy = findPolicy(p) // resolves aliases: 'fair' is fair-share
      if (policy === undefined) {
        throw new CliUsageError(
          `--policies: unknown policy ${JSON.stringify(p)} (expected ${POLICY_NAMES.join(', ')})`,
        )
      }
      return policy.name
    })
    out = { ...out, policies: [...new Set(names)] }
  }
  return out
}

import {
  DEFAULT_SCENARIO,
  findPolicy,
  POLICY_NAMES,
  type PoolSpec,
  parsePool,
  parseSpec,
  SCENARIOS,
  type Scenario,
  type SimSpec,
  SpecError,
} from '../sim/index.js'
import type { ParsedArgs } from './args.js'
import { type FioInput, hasFioFlags, readFioInput } from './commands/fio-input.js'
import { CliUsageError } from './errors.js'
import type { CliIo } from './io.js'
import { checkPoolFlag, checkSpecPool } from './pool-limit.js'
import { isJsonText, readSpecFile, specFromJson } from './spec-file.js'

/** What `simulate` and `size` run: a spec, and the scenario or file it came from. */
export interface Target {
  spec: SimSpec
  scenario: Scenario | undefined
  file: string | undefined
  /** A fio job file or command line, as read: what explain prints. */
  fio?: FioInput | undefined
}

/**
 * A scenario name, else a spec file of any name (a JSON spec or a fio job file, told apart by
 * content), else (no argument, fio's arguments after `--`) fio's command line alone. A scenario's name
 * wins over a file of the same name in the working directory, so that `simulate coco-fio` means the
 * same everywhere; write `./coco-fio` for the file. Spec problems keep their message and get the file
 * name in front. `--strict`, `--runtime` and fio's arguments after `--` go with fio input only.
 */
export async function resolveTarget(arg: string | undefined, io: CliIo, args?: ParsedArgs): Promise<Target> {
  if (arg === undefined && args !== undefined && args.fioArgs.length > 0)
    return fioTarget(undefined, undefined, args, io)
  const name = arg ?? DEFAULT_SCENARIO
  const scenario = SCENARIOS.find((s) => s.name === name)
  if (scenario !== undefined) {
    refuseFioFlags(name, args)
    return { spec: parseSpec(scenario.spec), scenario, file: undefined, fio: undefined }
  }
  const text = await readSpecFile(name, io)
  if (!isJsonText(text)) return fioTarget(name, text, args, io)
  if (args !== undefined && (args.fioArgs.length > 0 || args.runtime !== undefined))
    throw new CliUsageError(
      `fio arguments after -- and --runtime go with a fio job file or alone, not with ${JSON.stringify(name)}`,
    )
  try {
    const spec = specFromJson(text, name)
    if (args?.strict === true) refuseNotices(spec)
    return { spec, scenario: undefined, file: name, fio: undefined }
  } catch (error) {
    if (error instanceof Error) error.message = `${name}: ${error.message}`
    throw error
  }
}

async function fioTarget(
  file: string | undefined,
  text: string | undefined,
  args: ParsedArgs | undefined,
  io: CliIo,
): Promise<Target> {
  const fio = await readFioInput(file, text, args, io)
  return { spec: fio.spec, scenario: undefined, file, fio }
}

/** --strict with a JSON spec: every notice is an error, in one line, as with a fio job file. */
function refuseNotices(spec: SimSpec): void {
  const notices = spec.notices ?? []
  if (notices.length === 0) return
  const lines = notices.map(
    (n) => `\`${n.option}\` has a notice, and --strict makes it an error: ${n.message}`,
  )
  const error = new SpecError(notices[0]!.option, 'an option without a notice', undefined)
  error.message = lines.length === 1 ? lines[0]! : `${lines.length} problems: ${lines.join('; ')}`
  throw error
}

function refuseFioFlags(name: string, args: ParsedArgs | undefined): void {
  if (args !== undefined && hasFioFlags(args))
    throw new CliUsageError(
      `fio arguments after --, --strict and --runtime go with a fio job file or alone, not with ${JSON.stringify(name)}`,
    )
}

/** The spec a command runs: the target with --pool and --policies applied, within the CLI's limits. */
export function specFor(target: Target, args: ParsedArgs): SimSpec {
  const spec = applyOverrides(target.spec, args.pool, args.policies)
  if (args.pool === undefined && target.file !== undefined) checkSpecPool(target.file, spec.pool.size)
  return spec
}

/** Applies --pool and --policies to a spec. */
export function applyOverrides(
  spec: SimSpec,
  pool: string | undefined,
  policies: string[] | undefined,
): SimSpec {
  let out = spec
  if (pool !== undefined) {
    const parsed = parsePoolFlag(pool, spec.cpus)
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

function parsePoolFlag(value: string, cpus: number): PoolSpec {
  let parsed: PoolSpec
  try {
    parsed = parsePool({ size: value }, cpus)
  } catch (error) {
    throw new CliUsageError(`--pool: ${error instanceof Error ? error.message : String(error)}`)
  }
  checkPoolFlag(value, parsed.size)
  return parsed
}

/** Option names shown in the notices line before "and N more". */
const NAMES_SHOWN = 8

/**
 * One stderr line when the file (or fio's arguments) has notices: how many options have no effect on
 * the pool or rest on an assumption, their names, and where the reasons are. A file is never
 * half-understood in silence; explain prints each notice, --strict refuses them. The commands that run
 * a target call it once their own checks have passed, just before the run: a refused command says one
 * line, its error.
 */
export function tellNotices(target: Target, arg: string | undefined, io: CliIo): void {
  const notices = target.fio?.plan.notices ?? target.spec.notices ?? []
  if (notices.length === 0) return
  const names = [...new Set(notices.map((n) => n.option))]
  const shown = names.slice(0, NAMES_SHOWN).join(', ')
  const more = names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more` : ''
  const where = target.file ?? arg ?? "fio's arguments"
  const explain =
    target.file === undefined
      ? 'dma-throttle explain -- <the same arguments>'
      : `dma-throttle explain ${target.file}`
  const count = names.length === 1 ? '1 option has' : `${names.length} options have`
  io.stderr(
    `dma-throttle: ${where}: ${count} no effect on the pool or rest on an assumption: ${shown}${more} (\`${explain}\` says why; --strict refuses them)\n`,
  )
}

import { dirname, join, parse } from 'node:path'
import {
  FioJobError,
  type FioPlan,
  type FioReadOptions,
  fioPlanToSpec,
  parseFioTimeUs,
  readFio,
  type SimSpec,
} from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { CliUsageError } from '../errors.js'
import type { CliIo } from '../io.js'

/** A fio job file or command line, read: what explain prints and what simulate runs. */
export interface FioInput {
  plan: FioPlan
  spec: SimSpec
}

/** True when fio-only flags were given: fio arguments after `--`, --strict or --runtime. */
export function hasFioFlags(args: ParsedArgs): boolean {
  return args.fioArgs.length > 0 || args.strict || args.runtime !== undefined
}

/** --runtime, --strict and the environment, for the fio reader. */
export function fioReadOptions(args: ParsedArgs | undefined, io: CliIo): FioReadOptions {
  const options: FioReadOptions = { env: io.env, strict: args?.strict ?? false }
  if (args?.runtime !== undefined) {
    let us: number
    try {
      us = parseFioTimeUs(args.runtime, true)
    } catch {
      throw new CliUsageError(
        `--runtime expects a time like 10, 500ms or 2m, got ${JSON.stringify(args.runtime)}`,
      )
    }
    if (us <= 0)
      throw new CliUsageError(`--runtime expects a time above 0, got ${JSON.stringify(args.runtime)}`)
    options.runtimeMs = us / 1000
  }
  return options
}

/**
 * Reads a job file (its text, already read, and the files it includes) and the fio arguments after
 * `--`, on the default machine. Options before the first --name in those arguments are global defaults
 * for the file's jobs, as on fio's own command line.
 */
export async function readFioInput(
  path: string | undefined,
  text: string | undefined,
  args: ParsedArgs | undefined,
  io: CliIo,
): Promise<FioInput> {
  const options = fioReadOptions(args, io)
  const files = []
  const included = new Map<string, string>()
  if (path !== undefined && text !== undefined) {
    await loadIncludes(text, path, io, included, 0)
    files.push({ name: path, text })
  }
  let plan: FioPlan
  try {
    plan = readFio(
      { files, args: args?.fioArgs ?? [] },
      {
        ...options,
        readInclude: (p, from) => included.get(includePath(p, from)) ?? included.get(p) ?? missing(p),
      },
    )
  } catch (error) {
    if (error instanceof FioJobError) error.message = `${path ?? 'fio arguments'}: ${error.message}`
    throw error
  }
  const name = path === undefined ? 'fio' : parse(path).name
  return { plan, spec: fioPlanToSpec(plan, { name }) }
}

function missing(path: string): never {
  throw Object.assign(new Error(`cannot read ${path}`), { code: 'ENOENT' })
}

/** fio reads an include relative to the including file when it is not found as written. */
function includePath(path: string, from: string): string {
  return path.startsWith('/') ? path : join(dirname(from), path)
}

/** Reads every file a job file includes (and theirs), so that the reader can take them synchronously. */
async function loadIncludes(
  text: string,
  from: string,
  io: CliIo,
  into: Map<string, string>,
  depth: number,
): Promise<void> {
  if (depth > 16) return
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*include\s+([^;#]+)/.exec(line)
    if (m === null) continue
    const path = m[1]!.trim()
    for (const candidate of [path, includePath(path, from)]) {
      if (into.has(candidate)) break
      try {
        const inner = await io.readFile(candidate)
        into.set(candidate, inner)
        await loadIncludes(inner, candidate, io, into, depth + 1)
        break
      } catch {
        // fio tries the path as written, then next to the including file; the reader reports a miss.
      }
    }
  }
}

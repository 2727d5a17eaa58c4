import { type FioInput, type FioSection, parseEntry } from './lexer.js'
import { classifyOption } from './option-table.js'
import type { FioLog } from './problems.js'

/** fio's own command-line options that only shape its output or its process: no effect here. */
const FIO_OUTPUT_OPTIONS = new Set([
  'output',
  'output-format',
  'eta',
  'eta-newline',
  'eta-interval',
  'minimal',
  'terse-version',
  'append-terse',
  'bandwidth-log',
  'debug',
  'status-interval',
  'warnings-fatal',
  'max-jobs',
  'alloc-size',
  'aux-path',
  'readonly',
  'idle-prof',
  'latency-log',
])
const FIO_REFUSED_OPTIONS: Record<string, string> = {
  client: 'is not simulated: it runs jobs on fio servers elsewhere',
  server: 'is not simulated: it starts a fio server',
  'remote-config': 'is not simulated: it reads the job file on a fio server',
  'parse-only': 'runs no job',
  showcmd: 'runs no job',
  version: 'runs no job',
  cmdhelp: 'runs no job',
  enghelp: 'runs no job',
  'inflate-log': 'runs no job',
}

/**
 * fio's command-line form (init.c, parse_cmd_line): `--opt=value` or `--opt value`; `--name=x` starts
 * a job; options before the first --name (or after `--name=global`) are global defaults. `--section`
 * selects job sections by name. Every argument's source is "command line", argument number.
 */
export function readArgs(
  args: readonly string[],
  input: FioInput,
  log: FioLog,
): { sections: FioSection[]; only: string[] } {
  const sections: FioSection[] = []
  const only: string[] = []
  let current: FioSection | undefined
  for (let i = 0; i < args.length; i++) {
    const source = { file: 'command line', line: i + 1 }
    const arg = args[i]!
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg)
    if (m === null) {
      log.problem(source, arg, 'is not a fio option (job files go before the --)')
      continue
    }
    const key = m[1]!
    let value = m[2]
    const known = classifyOption(key)
    // getopt's optional_argument for fio's FIO_OPT_STR_SET options (options.c add_to_lopt): their
    // value comes only after '=', and the next argument is not theirs.
    const isFlag =
      (known?.kind === 'modelled' && known.option.flag === true) ||
      (known?.kind === 'no-effect' && known.type.kind === 'set')
    if (value === undefined && !isFlag && i + 1 < args.length && !args[i + 1]!.startsWith('-')) {
      value = args[++i]
    }
    if (key === 'section') {
      if (value !== undefined) only.push(...value.split(','))
      continue
    }
    if (FIO_OUTPUT_OPTIONS.has(key)) {
      log.notice(
        `--${key}`,
        "fio's own output and process option: the simulation's output is chosen by its own flags",
      )
      continue
    }
    const refused = Object.hasOwn(FIO_REFUSED_OPTIONS, key) ? FIO_REFUSED_OPTIONS[key] : undefined
    if (refused !== undefined) {
      log.problem(source, `--${key}`, refused)
      continue
    }
    if (key === 'name' && value !== undefined) {
      current = { name: value, global: value.startsWith('global'), source, entries: [] }
      sections.push(current)
      continue
    }
    if (current === undefined) {
      current = { name: 'global', global: true, source, entries: [] }
      sections.push(current)
    }
    const entry = parseEntry(
      value === undefined ? key : `${key}=${value}`,
      { ...source, section: current.name },
      input,
      log,
      true,
    )
    if (entry !== undefined) current.entries.push(entry)
  }
  return { sections, only }
}

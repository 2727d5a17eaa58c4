import { bcCalc } from './bc.js'
import { type FioLog, type FioSource, FioValueError } from './problems.js'

/** One `key=value` line (or a bare `key`), after environment and keyword substitution. */
export interface FioEntry {
  key: string
  /** undefined for a bare flag (`time_based`). */
  value: string | undefined
  source: FioSource
}

/** A `[section]` of a job file, or a `--name=` group of fio's command line. */
export interface FioSection {
  name: string
  global: boolean
  source: FioSource
  entries: FioEntry[]
}

/** What the reader needs from outside: environment, included files, the machine's reserved keywords. */
export interface FioInput {
  env: Readonly<Record<string, string | undefined>>
  /** Reads an included file (path as written, relative to the including file). */
  readInclude?: (path: string, from: string) => string
  /** Values of $pagesize, $ncpus, $mb_memory; a missing one is refused where it is used. */
  keywords: Readonly<Record<string, number | undefined>>
}

const MAX_INCLUDE_DEPTH = 16

/**
 * Splits a job file into sections, as fio's init.c (__parse_jobs_ini) does: a line whose first
 * non-blank character is ';' or '#' is a comment, and so is the rest of any line from ';' or '#'
 * (fio's strip_blank_end); `[name]` opens a section, `[global…]` a global one; `include file` pulls in
 * the lines of another file, which may not open sections; a line outside any section is an error.
 * Problems go to `log`; reading goes on so that every problem of the file is reported at once.
 */
export function readSections(text: string, file: string, input: FioInput, log: FioLog): FioSection[] {
  const sections: FioSection[] = []
  let current: FioSection | undefined
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const source = { file, line: i + 1 }
    const line = stripComment(lines[i]!)
    if (line === '') continue
    const header = /^\[(.*)\]$/.exec(line)
    if (header) {
      const name = header[1]!
      current = { name, global: name.startsWith('global'), source, entries: [] }
      sections.push(current)
      continue
    }
    if (current === undefined) {
      log.problem(source, line, 'is outside of any [job] section (fio rejects the file)')
      continue
    }
    readLine(line, { ...source, section: current.name }, current, input, log, 0)
  }
  return sections
}

function readLine(
  line: string,
  source: FioSource,
  section: FioSection,
  input: FioInput,
  log: FioLog,
  depth: number,
): void {
  const include = /^include\s+(.+)$/.exec(line)
  if (include) {
    readInclude(include[1]!.trim(), source, section, input, log, depth)
    return
  }
  const entry = parseEntry(line, source, input, log)
  if (entry !== undefined) section.entries.push(entry)
}

function readInclude(
  path: string,
  source: FioSource,
  section: FioSection,
  input: FioInput,
  log: FioLog,
  depth: number,
): void {
  if (input.readInclude === undefined) {
    log.problem(source, 'include', `cannot read ${path}: includes need a job file on disk`)
    return
  }
  if (depth >= MAX_INCLUDE_DEPTH) {
    log.problem(source, 'include', `${path}: includes nested more than ${MAX_INCLUDE_DEPTH} deep`)
    return
  }
  let text: string
  try {
    text = input.readInclude(path, source.file)
  } catch (error) {
    log.problem(source, 'include', `cannot read ${path} (${(error as { code?: string }).code ?? 'error'})`)
    return
  }
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const inner = { file: path, line: i + 1, section: section.name }
    const line = stripComment(lines[i]!)
    if (line === '') continue
    if (line.startsWith('[')) {
      log.problem(inner, line, 'opens a section in an included file (fio rejects it)')
      continue
    }
    readLine(line, inner, section, input, log, depth + 1)
  }
}

/** fio's strip_blank_front/strip_blank_end: trims, and cuts at the first ';' or '#'. */
export function stripComment(line: string): string {
  const cut = line.search(/[;#]/)
  return (cut < 0 ? line : line.slice(0, cut)).trim()
}

/**
 * `key=value` with `${VAR}` replaced by the environment (empty when unset, as in fio) and the reserved
 * keywords $pagesize, $ncpus, $mb_memory by the machine's values; a value with a keyword is computed
 * (fio hands it to bc: whole-number arithmetic, bc.ts).
 */
export function parseEntry(
  line: string,
  source: FioSource,
  input: FioInput,
  log: FioLog,
  commandLine = false,
): FioEntry | undefined {
  const substituted = /\$\{[^}]+\}|\$(pagesize|ncpus|mb_memory)/.exec(line)
  if (commandLine && substituted !== null) {
    // options.c:6214 (fio_cmd_option_parse) hands the argument on as written; only job-file lines
    // (options.c:6112-6115, fio_options_parse) go through fio_option_dup_subs and
    // fio_keyword_replace, so fio rejects `--bs=$pagesize`.
    log.problem(
      source,
      line,
      `uses ${substituted[0]}: fio replaces variables and keywords in job files only, and reads the command line as written (the shell expands \${VAR} before fio sees it)`,
    )
    return undefined
  }
  const text = line.replace(/\$\{([^}]+)\}/g, (_, name: string) => input.env[name] ?? '')
  const eq = text.indexOf('=')
  const key = (eq < 0 ? text : text.slice(0, eq)).trim()
  let value = eq < 0 ? undefined : text.slice(eq + 1).trim()
  if (key === '') {
    log.problem(source, line, 'has no option name')
    return undefined
  }
  if (value !== undefined && value !== '' && /^\s/.test(text.slice(eq + 1))) {
    log.problem(source, key, blankAfterEquals(key, value))
    return undefined
  }
  if (value !== undefined && /\$(pagesize|ncpus|mb_memory)/.test(value)) {
    try {
      value = substituteKeywords(value, input.keywords)
    } catch (error) {
      if (!(error instanceof FioValueError)) throw error
      log.badValue(source, key, value, error)
      return undefined
    }
  }
  return { key, value, source }
}

/**
 * parse.c:1121-1131 (get_option) trims only the option's name: the value keeps a blank after '=', and
 * fio reads " 8k" as 8 (the unit is not found behind the blank), " 500ms" as 500 s, and " randwrite"
 * as no rw mode at all. Rather than read it fio's way, the line is refused.
 */
function blankAfterEquals(key: string, value: string): string {
  return `has a blank after "=" ("${key} = ${value}"): fio keeps the blank in the value and then reads a number without its unit (bs = 8k is 8 bytes, runtime = 500ms is 500 s) and rejects a word (rw = randwrite); write ${key}=${value}`
}

function substituteKeywords(value: string, keywords: FioInput['keywords']): string {
  const replaced = value.replace(/\$(pagesize|ncpus|mb_memory)/g, (_, word: string) => {
    const n = keywords[word]
    if (n === undefined)
      throw new FioValueError(`a value without $${word}`, `the simulated machine has no $${word}`)
    return String(n)
  })
  return bcCalc(replaced)
}

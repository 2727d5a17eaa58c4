import { SpecError } from '../../errors.js'

/** Where an option came from: a job file and line (fio's command line: argument number). */
export interface FioSource {
  file: string
  line: number
  /** The section it is in, when there is one. */
  section?: string
}

/** An option fio accepts that the simulation cannot honour, or a value fio itself would reject. */
export interface FioProblem extends FioSource {
  option: string
  message: string
}

/** An option accepted with no effect on bounce buffering, or modelled with an assumption worth saying. */
export interface FioNotice {
  option: string
  message: string
  /** Where the option was first seen, if anywhere. */
  source?: FioSource
}

/**
 * A bad value inside the fio reader: what was expected, and why the value does not do (optional).
 * The reader turns it into a problem naming the section, option, value, file and line.
 */
export class FioValueError extends Error {
  constructor(
    readonly expected: string,
    readonly why?: string,
  ) {
    super(why === undefined ? `expected ${expected}` : `expected ${expected} (${why})`)
    this.name = 'FioValueError'
  }
}

export function where(source: FioSource): string {
  if (source.line === 0) return source.file
  return source.file === 'command line'
    ? `command line, argument ${source.line}`
    : `${source.file}:${source.line}`
}

/** `[section].option`, or the option alone. */
export function optionName(source: FioSource, option: string): string {
  return source.section === undefined ? option : `[${source.section}].${option}`
}

/** One line per problem: the message, then where. */
export function problemLine(p: FioProblem): string {
  return `${p.message} (${where(p)})`
}

/**
 * Every problem of a job file at once, in one message of one line (the CLI's bad-input rule): each
 * problem names the section, the option, the file and the line, separated by "; ". A SpecError, so
 * callers that handle bad specs handle it too; `problems` has them one by one.
 */
export class FioJobError extends SpecError {
  constructor(readonly problems: readonly FioProblem[]) {
    const first = problems[0]
    super(first === undefined ? 'job file' : where(first), 'a job file the simulation can run', undefined)
    const all = problems.map(problemLine).join('; ')
    this.message = problems.length === 1 ? all : `${problems.length} problems: ${all}`
    this.name = 'FioJobError'
  }

  /** One line per problem. */
  get lines(): string[] {
    return this.problems.map(problemLine)
  }
}

/** Collects problems and notices while a job file is read; notices are kept once per option and text. */
export class FioLog {
  readonly problems: FioProblem[] = []
  readonly notices: FioNotice[] = []
  readonly #seen = new Set<string>()

  /** `message` follows the option's name: "`[job].zonemode` is not simulated: …". */
  problem(source: FioSource, option: string, message: string): void {
    this.#add(source, option, `\`${optionName(source, option)}\` ${message}`)
  }

  /**
   * A value fio would reject or read otherwise than written, in the house style. Once per line and
   * option: an option read twice (zonesize: for its type, then for size=Nz) is reported by the first.
   */
  badValue(source: FioSource, option: string, value: string | undefined, error: FioValueError): void {
    const once = `${source.file}\u0000${source.line}\u0000${option}\u0000bad value`
    if (this.#seen.has(once)) return
    this.#seen.add(once)
    const got = value === undefined ? 'nothing' : JSON.stringify(value)
    this.#add(
      source,
      option,
      `Expected \`${optionName(source, option)}\` to be ${error.expected}, got ${got}${error.why === undefined ? '' : ` (${error.why})`}`,
    )
  }

  #add(source: FioSource, option: string, message: string): void {
    const key = `${source.file}\u0000${source.line}\u0000${message}`
    if (this.#seen.has(key)) return
    this.#seen.add(key)
    const at: FioProblem = { file: source.file, line: source.line, option, message }
    if (source.section !== undefined) at.section = source.section
    this.problems.push(at)
  }

  notice(option: string, message: string, source?: FioSource): void {
    const key = `${option}\u0000${message}`
    if (this.#seen.has(key)) return
    this.#seen.add(key)
    this.notices.push(source === undefined ? { option, message } : { option, message, source })
  }

  /** Throws every problem collected so far, if any. */
  check(): void {
    if (this.problems.length > 0) throw new FioJobError(this.problems)
  }
}

/** Where an option came from: a job file and line, or fio's command line (`line` 0). */
export interface FioSource {
  file: string
  line: number
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
}

/** A bad value inside the fio reader; the job reader turns it into a FioProblem with its source. */
export class FioValueError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FioValueError'
  }
}

export function where(source: FioSource): string {
  return source.line > 0 ? `${source.file}:${source.line}` : source.file
}

/**
 * Every problem of a job file at once: one line each, naming the file, the line and the option. The
 * first line of the message sums them up (the CLI prints every line).
 */
export class FioJobError extends Error {
  readonly code = 'ERR_FIO_JOB'
  constructor(readonly problems: readonly FioProblem[]) {
    const first = problems[0]
    const head =
      problems.length === 1 && first !== undefined
        ? `${where(first)}: ${first.option}: ${first.message}`
        : `${problems.length} fio options cannot be simulated:`
    const lines = problems.length === 1 ? [] : problems.map((p) => `  ${where(p)}: ${p.option}: ${p.message}`)
    super([head, ...lines].join('\n'))
    this.name = 'FioJobError'
  }

  /** Every line of the message: the CLI prints them all. */
  get lines(): string[] {
    return this.message.split('\n')
  }
}

/** Collects problems and notices while a job file is read; notices are kept once per option and text. */
export class FioLog {
  readonly problems: FioProblem[] = []
  readonly notices: FioNotice[] = []
  readonly #seen = new Set<string>()

  problem(source: FioSource, option: string, message: string): void {
    const key = `${source.file}\u0000${source.line}\u0000${option}\u0000${message}`
    if (this.#seen.has(key)) return
    this.#seen.add(key)
    this.problems.push({ file: source.file, line: source.line, option, message })
  }

  notice(option: string, message: string): void {
    const key = `${option}\u0000${message}`
    if (this.#seen.has(key)) return
    this.#seen.add(key)
    this.notices.push({ option, message })
  }

  /** Throws every problem collected so far, if any. */
  check(): void {
    if (this.problems.length > 0) throw new FioJobError(this.problems)
  }
}

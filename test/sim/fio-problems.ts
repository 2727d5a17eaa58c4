import { FioJobError } from '../../src/sim/index.js'

/** The problem lines of the FioJobError `read` throws; none when it reads the file. */
export function problemLines(read: () => unknown): string[] {
  try {
    read()
  } catch (e) {
    if (e instanceof FioJobError) return e.lines
    throw e
  }
  return []
}

/**
 * The one problem a no-effect option's bad value gives in job `[t]`, whose line `line` is at `at` of
 * a.fio: the option named, the value quoted, what it expects and why.
 */
export function refusedLine(line: string, expected: string, why: string, at: number): string {
  const name = line.split('=')[0]!
  const value = line.slice(name.length + 1)
  return `Expected \`[t].${name}\` to be ${expected}, got ${JSON.stringify(value)} (${why}) (a.fio:${at})`
}

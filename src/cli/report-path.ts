import { CliOutputError } from './errors.js'
import { writeProblem } from './file-errors.js'
import type { CliIo } from './io.js'

/** Refuses a `--report` path that cannot be written, before any simulation time is spent. */
export async function checkReportPath(path: string, io: CliIo): Promise<void> {
  try {
    await io.checkWritable(path)
  } catch (error) {
    throw new CliOutputError(`--report ${path}: cannot write (${writeProblem(error, path)})`)
  }
}

import { dirname } from 'node:path'
import { CliOutputError } from './errors.js'
import type { CliIo } from './io.js'

/** Refuses a `--report` path that cannot be written, before any simulation time is spent. */
export async function checkReportPath(path: string, io: CliIo): Promise<void> {
  try {
    await io.checkWritable(path)
  } catch (error) {
    const code = (error as { code?: string }).code ?? ''
    throw new CliOutputError(`--report ${path}: cannot write (${why(code, path)})`)
  }
}

function why(code: string, path: string): string {
  switch (code) {
    case 'ENOENT':
      return `no directory ${dirname(path)}`
    case 'EISDIR':
      return 'a directory'
    case 'ENOTDIR':
      return 'a path component is not a directory'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EROFS':
      return 'read-only file system'
    default:
      return code === '' ? 'unknown error' : code
  }
}

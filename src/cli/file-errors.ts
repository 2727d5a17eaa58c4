import { dirname } from 'node:path'

/** Why a file could not be read, in words, from the system error's `code`. */
export function readProblem(error: unknown): string {
  const code = codeOf(error)
  if (code === 'ENOENT') return 'no such file'
  return COMMON[code] ?? other(error, code)
}

/** Why `path` could not be written, in words: a missing file means its directory is missing. */
export function writeProblem(error: unknown, path: string): string {
  const code = codeOf(error)
  if (code === 'ENOENT') return `no directory ${dirname(path)}`
  return COMMON[code] ?? other(error, code)
}

/** A system error's code as it is (`EMFILE`), else the error's message. */
function other(error: unknown, code: string): string {
  if (/^E[A-Z]+$/.test(code)) return code
  return error instanceof Error && error.message !== '' ? error.message : 'unknown error'
}

const COMMON: Record<string, string> = {
  EISDIR: 'a directory',
  ENOTDIR: 'a path component is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : ''
}

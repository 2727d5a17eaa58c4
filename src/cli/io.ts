import { open, readFile, unlink, writeFile } from 'node:fs/promises'

/** What the CLI needs from its surroundings: injected so tests can run `main` in-process. */
export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  /** True when stderr is a terminal (the progress bar draws there). */
  readonly isTTY: boolean
  readonly env: Readonly<Record<string, string | undefined>>
  /** Host clock for progress output, ms; default the wall clock (tests pass their own). */
  readonly now?: () => number
  readFile(path: string): Promise<string>
  writeFile(path: string, text: string): Promise<void>
  /** Resolves when `writeFile(path)` could succeed now; rejects with the system error (`code`) if not. */
  checkWritable(path: string): Promise<void>
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    env: process.env,
    readFile: (path) => readFile(path, 'utf8'),
    writeFile: (path, text) => writeFile(path, text, 'utf8'),
    checkWritable,
  }
}

/**
 * Asks the file system itself rather than guessing from modes (root, ACLs, read-only mounts): an
 * existing file is opened for writing without truncating it ('r+', content and mtime unchanged); a new
 * one is created exclusively ('wx') and removed again, so nothing is left behind.
 */
export async function checkWritable(path: string): Promise<void> {
  try {
    await (await open(path, 'r+')).close()
    return
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error
  }
  await (await open(path, 'wx')).close()
  await unlink(path)
}

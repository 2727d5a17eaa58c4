import { readFile, writeFile } from 'node:fs/promises'

/** What the CLI needs from its surroundings: injected so tests can run `main` in-process. */
export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  /** True when stderr is a terminal (the progress bar draws there). */
  readonly isTTY: boolean
  readonly env: Readonly<Record<string, string | undefined>>
  readFile(path: string): Promise<string>
  writeFile(path: string, text: string): Promise<void>
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    env: process.env,
    readFile: (path) => readFile(path, 'utf8'),
    writeFile: (path, text) => writeFile(path, text, 'utf8'),
  }
}

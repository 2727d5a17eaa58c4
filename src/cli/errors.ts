/** A command line the CLI cannot act on: unknown command or flag, missing or bad argument. */
export class CliUsageError extends Error {
  readonly code = 'ERR_CLI_USAGE'
  constructor(message: string) {
    super(message)
    this.name = 'CliUsageError'
  }
}

/** A file the CLI could not read or parse. The message names the file. */
export class CliInputError extends Error {
  readonly code = 'ERR_CLI_INPUT'
  constructor(message: string) {
    super(message)
    this.name = 'CliInputError'
  }
}

/** One line for the terminal: the message's first line, never a stack. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return (message.split('\n')[0] ?? '').trim() || 'unknown error'
}

/** A file the CLI was asked to write and cannot. The message names the file and why. */
export class CliOutputError extends Error {
  readonly code = 'ERR_CLI_OUTPUT'
  constructor(message: string) {
    super(message)
    this.name = 'CliOutputError'
  }
}

/**
 * An error the CLI expects (bad input, a missing file): one of the project's coded errors, or a system
 * error (`ENOENT`, …), both of which carry a string `code`. Anything else is a bug: its stack is shown.
 */
export function isExpected(error: unknown): boolean {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string'
}

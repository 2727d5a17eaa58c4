import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'

/**
 * The lines of a text file, streamed: node:readline over a file stream, so that a trace of any length
 * is read in constant memory. A missing or unreadable file rejects with the system error (`code`).
 * Leaving the loop early closes the file.
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  try {
    yield* lines
  } finally {
    lines.close()
    input.destroy()
  }
}

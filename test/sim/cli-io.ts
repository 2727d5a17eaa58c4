import type { CliIo } from '../../src/cli/io.js'

/** An in-memory CliIo: captures output, serves files from a map. */
export function memoryIo(
  options: { files?: Record<string, string>; isTTY?: boolean; env?: Record<string, string> } = {},
) {
  const files = new Map(Object.entries(options.files ?? {}))
  const out = { stdout: '', stderr: '', written: new Map<string, string>() }
  const io: CliIo = {
    stdout: (text) => {
      out.stdout += text
    },
    stderr: (text) => {
      out.stderr += text
    },
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
    readFile: async (path) => {
      const text = files.get(path)
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
      return text
    },
    writeFile: async (path, text) => {
      out.written.set(path, text)
    },
  }
  return { io, out }
}

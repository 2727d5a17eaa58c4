import { type CliIo, processIo } from '../../src/cli/io.js'

/**
 * An in-memory CliIo: captures output, serves files from a map. `unwritable` maps a path to the
 * system error code `checkWritable` rejects it with; `checks` records every path checked.
 */
export function memoryIo(
  options: {
    files?: Record<string, string>
    isTTY?: boolean
    env?: Record<string, string>
    unwritable?: Record<string, string>
  } = {},
) {
  const files = new Map(Object.entries(options.files ?? {}))
  const out = { stdout: '', stderr: '', written: new Map<string, string>(), checks: [] as string[] }
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
    checkWritable: async (path) => {
      out.checks.push(path)
      const code = options.unwritable?.[path]
      if (code !== undefined) throw Object.assign(new Error(`${code}: ${path}`), { code })
    },
  }
  return { io, out }
}

/** The real file system (processIo), with stdout and stderr captured. */
export function diskIo() {
  const out = { stdout: '', stderr: '' }
  const io: CliIo = {
    ...processIo(),
    isTTY: false,
    env: {},
    stdout: (text) => {
      out.stdout += text
    },
    stderr: (text) => {
      out.stderr += text
    },
  }
  return { io, out }
}

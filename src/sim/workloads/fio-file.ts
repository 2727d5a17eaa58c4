import { SpecError } from '../errors.js'
import type { Raw } from './values.js'

/**
 * The first, small job-file reader, kept for callers of `readFioJobFile`: sections and raw options
 * only, without fio's semantics. `readFio` (workloads/fio) is the reader the simulator and the CLI use.
 *
 * Reads a fio job file: `[section]` headers, `key=value` lines and bare flags (`time_based`), comments
 * starting with `#` or `;`. `[global]` options apply to every job that follows, as in fio. Returns one
 * raw option set per job, `name` set to the section name; values stay strings for the job parser.
 */
export function readFioJobFile(text: string): Raw[] {
  const global: Raw = {}
  const jobs: Raw[] = []
  let current: Raw | undefined
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s[#;].*$/, '').trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const section = /^\[([^\]]+)\]$/.exec(line)
    if (section) {
      const name = section[1]!.trim()
      if (name === 'global') current = global
      else {
        current = { ...global, name }
        jobs.push(current)
      }
      continue
    }
    if (current === undefined) throw new SpecError(`line ${i + 1}`, 'inside a [section]', line)
    const eq = line.indexOf('=')
    const key = (eq < 0 ? line : line.slice(0, eq)).trim()
    if (!/^[a-z_][a-z0-9_]*$/i.test(key)) throw new SpecError(`line ${i + 1}`, 'key=value', line)
    current[key] = eq < 0 ? 'true' : line.slice(eq + 1).trim()
  }
  if (jobs.length === 0) throw new SpecError('job file', 'at least one [job] section', text.slice(0, 40))
  return jobs
}

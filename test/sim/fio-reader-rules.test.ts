import { describe, expect, it } from 'vitest'
import { FioJobError, readFio } from '../../src/sim/index.js'

// Where fio reads a value otherwise than it looks (checked against fio 3.42 with --parse-only
// --debug=parse and null-engine runs): each case is read as fio does, or refused with fio's reading.
const jobs = (text: string, args: string[] = [], more: string[] = []) =>
  readFio({
    files: [{ name: 'a.fio', text }, ...more.map((t, i) => ({ name: `f${i}.fio`, text: t }))],
    args,
  }).phases.flatMap((p) => p.jobs)
const one = (text: string) => jobs(text)[0]!
const problems = (fn: () => unknown): string => {
  try {
    fn()
  } catch (e) {
    if (e instanceof FioJobError) return e.message
    throw e
  }
  throw new Error('no problem reported')
}

describe('a blank after "=" (parse.c get_option trims only the name)', () => {
  it.each([
    ['bs = 8k', 'bs'],
    ['runtime = 500ms', 'runtime'],
    ['rw = randwrite', 'rw'],
  ])('%j is refused with how fio reads it, naming the line', (line, key) => {
    expect(problems(() => jobs(`[t]\nsize=1m\n${line}\n`))).toBe(
      `\`[t].${key}\` has a blank after "=" ("${line}"): fio keeps the blank in the value and then reads a number without its unit (bs = 8k is 8 bytes, runtime = 500ms is 500 s) and rejects a word (rw = randwrite); write ${line.replace(' = ', '=')} (a.fio:3)`,
    )
  })

  it('a blank before "=" only is fine, as in fio', () => {
    expect(one('[t]\nbs =8k\nsize=64k\n').bs.read).toEqual([[8192, 100]])
  })
})

describe('the command line has no substitution (options.c fio_cmd_option_parse)', () => {
  it.each(['--bs=$pagesize', `--size=$\{SIZE}`])('%s is refused', (arg) => {
    const message = problems(() => readFio({ args: ['--name=t', arg] }, { env: { SIZE: '1m' } }))
    expect(message).toContain(`\`[t].${arg.slice(2)}\` uses `)
    expect(message).toContain('fio replaces variables and keywords in job files only')
  })

  it('the same in a job file is substituted', () => {
    expect(one('[t]\nbs=$pagesize\nsize=1m\n').bs.read).toEqual([[4096, 100]])
  })
})

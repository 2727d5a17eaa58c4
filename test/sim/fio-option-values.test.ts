import { describe, expect, it } from 'vitest'
import { FioJobError, readFio } from '../../src/sim/index.js'

// Option values as fio 3.42 reads them (parse.c handle_option, __handle_option, str_to_decimal;
// options.c for each option's type, minval and maxval), checked with `fio --parse-only --debug=parse`.
const jobs = (text: string) => readFio({ files: [{ name: 'a.fio', text }] }).phases.flatMap((p) => p.jobs)
const one = (text: string) => jobs(text)[0]!
const problems = (text: string): string => {
  try {
    jobs(text)
  } catch (e) {
    if (e instanceof FioJobError) return e.message
    throw e
  }
  throw new Error('no problem reported')
}

describe('options fio has deprecated outright (options.c FIO_OPT_DEPRECATED)', () => {
  // fio prints "Option rwmixcycle is deprecated", then "failed parsing rwmixcycle=10" and drops the job.
  it.each(['rwmixcycle=10', 'percentage_sequential=50'])('%s is refused, as fio rejects it', (line) => {
    const name = line.split('=')[0]!
    expect(problems(`[t]\nrw=randrw\nsize=1m\n${line}\n`)).toBe(
      `\`[t].${name}\` is not simulated: deprecated: fio rejects the job ("Option ${name} is deprecated", "failed parsing")${name === 'percentage_sequential' ? '; write percentage_random=100-N' : ''} (a.fio:4)`,
    )
  })

  it('flow_watermark (FIO_OPT_SOFT_DEPRECATED) is only a notice, as fio only prints it', () => {
    expect(one('[t]\nrw=read\nsize=1m\nflow_watermark=3\n').name).toBe('t')
  })
})

import { describe, expect, it } from 'vitest'
import { readFio } from '../../src/sim/index.js'
import { engineOptionNames, engineOwners } from '../../src/sim/workloads/fio/engine-options.js'
import { isFioEngine } from '../../src/sim/workloads/fio/engines.js'
import { classifyOption } from '../../src/sim/workloads/fio/option-table.js'
import { problemLines } from './fio-problems.js'

// An engine's options exist only under that engine: fio parses a section's own options first, then
// loads the engine the section ends with and reads what is left against that engine's table alone
// (options.c, fio_options_parse); its command line is read in order (init.c, parse_cmd_line). Every
// case below was checked with fio 3.42 --parse-only: accepted, or "Bad option <…>" / "unrecognized
// option" and the job dropped.
const file = (text: string) => readFio({ files: [{ name: 'a.fio', text }] })
const args = (list: string[]) => readFio({ args: list })
const problems = problemLines
const noticed = (fn: () => { notices: Array<{ option: string }> }, option: string) =>
  fn().notices.some((n) => n.option === option)

describe("an engine option under another engine is refused, with fio's reading", () => {
  it('hipri with ioengine=psync', () => {
    expect(problems(() => file('[t]\nioengine=psync\nsize=1m\nhipri\n'))).toEqual([
      '`[t].hipri` is an option of ioengine=io_uring, io_uring_cmd, pvsync2, sg, libblkio or xnvme only, and the job\'s engine is psync: fio reads the options left after its own against that engine\'s alone, wherever ioengine= stands in the section, and drops the job ("Bad option <hipri>") (a.fio:4)',
    ])
  })

  it("with no ioengine= the engine is fio's default, psync; the message quotes the value as fio does", () => {
    expect(problems(() => file('[t]\nsize=1m\nproto=tcp\n'))).toEqual([
      "`[t].proto` is an option of ioengine=net, netsplice or rdma only, and the job's engine is psync (fio's default: no ioengine= given): fio reads the options left after its own against that engine's alone, wherever ioengine= stands in the section, and drops the job (\"Bad option <proto=tcp>\") (a.fio:3)",
    ])
  })

  it.each([
    ['sync', 'nowait=1'],
    ['psync', 'fixedbufs'],
    ['psync', 'sqthread_poll'],
    ['psync', 'cmd_type=nvme'],
    ['psync', 'thp=1'],
    ['psync', 'cmdprio_percentage=10'],
    ['libaio', 'hipri'],
    ['io_uring', 'userspace_reap'],
    ['psync', 'libblkio_driver=io_uring'],
    ['libaio', 'xnvme_be=spdk'],
    ['null', 'chunck_size=1m'],
  ])('ioengine=%s with %s', (engine, line) => {
    const found = problems(() => file(`[t]\nioengine=${engine}\nsize=1m\n${line}\n`))
    expect(found.length).toBe(1)
    expect(found[0]).toContain(`\`[t].${line.split('=')[0]}\` is an option of ioengine=`)
    expect(found[0]).toContain(`the job's engine is ${engine}:`)
    expect(found[0]).toContain(`"Bad option <${line}>"`)
  })
})

describe('under its own engine an engine option is accepted', () => {
  it.each([
    ['io_uring', 'hipri', 'hipri'],
    ['io_uring', 'cmd_type=nvme', undefined],
    ['io_uring_cmd', 'fixedbufs', 'fixedbufs'],
    ['pvsync2', 'nowait=1', 'nowait'],
    ['libaio', 'userspace_reap', 'userspace_reap'],
    ['sg', 'stream_id=1', 'stream_id'],
    ['mmap', 'thp=1', 'thp'],
    ['cpuio', 'cpuload=50', 'cpuload'],
  ])('ioengine=%s with %s', (engine, line, notice) => {
    const text = `[t]\nioengine=${engine}\nsize=1m\n${line}\n`
    expect(problems(() => file(text))).toEqual([])
    if (notice !== undefined) expect(noticed(() => file(text), notice)).toBe(true)
  })

  it("a network engine's option under its engine: only the engine is refused", () => {
    expect(problems(() => file('[t]\nioengine=net\nsize=1m\nproto=tcp\n'))).toEqual([
      '`[t].ioengine` is not simulated: ioengine=net moves data over the network: describe that traffic as a NIC in a JSON spec (a.fio:2)',
    ])
  })
})

describe('which engine fio reads the option against', () => {
  it("in a job file the section's last ioengine=, wherever it stands", () => {
    expect(problems(() => file('[t]\nhipri\nsize=1m\nioengine=io_uring\n'))).toEqual([])
    expect(problems(() => file('[t]\nioengine=io_uring\nhipri\nioengine=psync\nsize=1m\n'))[0]).toContain(
      "`[t].hipri` is an option of ioengine=io_uring, io_uring_cmd, pvsync2, sg, libblkio or xnvme only, and the job's engine is psync:",
    )
  })

  it('a job gets the [global] engine', () => {
    expect(problems(() => file('[global]\nioengine=io_uring\n[t]\nsize=1m\nhipri\n'))).toEqual([])
  })

  it("a [global] is read on its own: a job's ioengine= does not reach it", () => {
    expect(problems(() => file('[global]\nhipri\n[t]\nioengine=io_uring\nsize=1m\n'))).toEqual([
      '`[global].hipri` is an option of ioengine=io_uring, io_uring_cmd, pvsync2, sg, libblkio or xnvme only, and the engine this [global] ends with is psync (fio\'s default: no ioengine= given): fio reads the options left after its own against that engine\'s alone, wherever ioengine= stands in the section, and drops the job ("Bad option <hipri>") (a.fio:2)',
    ])
  })

  it('an option a [global] took under its engine stays taken when the job changes engine', () => {
    expect(
      problems(() => file('[global]\nioengine=io_uring\nhipri\n[t]\nioengine=psync\nsize=1m\n')),
    ).toEqual([])
    expect(
      problems(() =>
        file('[global]\nioengine=io_uring\nhipri\n[t]\nioengine=psync\nsize=1m\nfixedbufs\n'),
      )[0],
    ).toContain(
      "`[t].fixedbufs` is an option of ioengine=io_uring or io_uring_cmd only, and the job's engine is psync:",
    )
  })

  it('on the command line, the last --ioengine= before the option', () => {
    expect(problems(() => args(['--ioengine=io_uring', '--name=t', '--size=1m', '--hipri']))).toEqual([])
    expect(
      problems(() => args(['--name=t', '--ioengine=io_uring', '--hipri', '--ioengine=psync', '--size=1m'])),
    ).toEqual([])
    expect(
      problems(() => args(['--ioengine=io_uring', '--hipri', '--name=t', '--ioengine=psync', '--size=1m'])),
    ).toEqual([])
    expect(problems(() => args(['--name=t', '--hipri', '--ioengine=io_uring', '--size=1m']))).toEqual([
      "`[t].hipri` is an option of ioengine=io_uring, io_uring_cmd, pvsync2, sg, libblkio or xnvme only, and the engine named so far on the command line is psync (fio's default: no ioengine= given): fio reads its command line in order and takes an engine's options only after an --ioengine= naming that engine (fio: \"unrecognized option '--hipri'\") (command line, argument 2)",
    ])
    expect(
      problems(() =>
        args(['--ioengine=io_uring', '--name=t', '--ioengine=psync', '--hipri', '--size=1m']),
      )[0],
    ).toContain('the engine named so far on the command line is psync: ')
  })

  it('an engine fio does not have is refused where ioengine is read, and its options are not checked', () => {
    expect(problems(() => file('[t]\nioengine=io_urin\nsize=1m\nhipri\n'))).toEqual([
      '`[t].ioengine` is not simulated: ioengine=io_urin is not an engine fio knows (a.fio:2)',
    ])
  })
})

describe('the engine-option registry', () => {
  it('names only engines fio has and options the option table knows', () => {
    const names = engineOptionNames()
    expect(names.filter((n) => classifyOption(n) === undefined)).toEqual([])
    expect(names.flatMap((n) => engineOwners(n)!).filter((e) => !isFioEngine(e))).toEqual([])
  })

  it.each(['dummy', 'engine_name', 'netsplice'])(
    '%s is not an option of fio or of any engine it has built in (fio: "Bad option")',
    (key) => {
      expect(problems(() => file(`[t]\nioengine=net\nsize=1m\n${key}=1\n`))).toContain(
        `\`[t].${key}\` is not an option fio knows (fio rejects the job: "Bad option") (a.fio:4)`,
      )
    },
  )
})

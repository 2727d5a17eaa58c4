import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  allOptions,
  type ExplainJob,
  explainPlan,
  FioJobError,
  type FioReadOptions,
  readFio,
} from '../../src/sim/index.js'

// Our own job files (test/sim/fio-jobs), each citing the HOWTO section it follows; the expected
// readings below are written from fio's HOWTO, section by section.
const DIR = join(import.meta.dirname, 'fio-jobs')
const read = (file: string, options: FioReadOptions = {}) =>
  readFio(
    { files: [{ name: file, text: readFileSync(join(DIR, file), 'utf8') }] },
    { readInclude: (path) => readFileSync(join(DIR, path), 'utf8'), ...options },
  )
const jobs = (file: string, options: FioReadOptions = {}): Record<string, ExplainJob & { phase: number }> => {
  const out: Record<string, ExplainJob & { phase: number }> = {}
  explainPlan(read(file, options)).phases.forEach((p, phase) => {
    for (const j of p.jobs) out[j.name] = { ...j, phase }
  })
  return out
}
const one = (bytes: number): Array<[number, number]> => [[bytes, 100]]

describe('fio job files read as the HOWTO says', () => {
  it('"Job file format": [global] defaults, overrides, a later [global], comments', () => {
    const j = jobs('global-sections.fio')
    expect(j['first']).toMatchObject({ rw: 'randread', iodepth: 8, timeBased: true, runtimeMs: 250 })
    expect(j['first']!.bs.read).toEqual(one(16384))
    expect(j['second']).toMatchObject({ rw: 'randwrite', iodepth: 2 })
    expect(j['third']!.bs.read).toEqual(one(65536)) // only the job after the second [global]
  })

  it('"include": files pulled into [global] and into one job', () => {
    const j = jobs('include-main.fio')
    expect(j['test']).toMatchObject({ iodepth: 4, numjobs: 2, sizeBytes: 1048576 })
    expect(j['test']!.bs.read).toEqual(one(8192))
    expect(j['plain']).toMatchObject({ iodepth: 1, numjobs: 1 }) // the job include applies to [test] only
  })

  it('"Environment variables" and "Reserved keywords"', () => {
    const j = jobs('env.fio', { env: { MODE: 'randwrite', SIZE: '2m' }, cpus: 16 })
    expect(j['env']).toMatchObject({ rw: 'randwrite', sizeBytes: 2 * 1048576, numjobs: 4, iodepth: 16 })
    expect(j['env']!.bs.write).toEqual(one(8192))
    // An unset variable is replaced by nothing: rw= is empty, which fio rejects.
    expect(() => read('env.fio', { env: { SIZE: '2m' } })).toThrow(/`\[env\]\.rw` to be one of .*got ""/)
  })

  it('"Parameter types" and kb_base: 4KiB is 4000 bytes in fio\'s default compatibility mode', () => {
    const plan = read('units.fio')
    const j = jobs('units.fio')
    expect(j['binary']).toMatchObject({ sizeBytes: 1048576, runtimeMs: 200 })
    expect(j['binary']!.bs.read).toEqual(one(4000))
    expect(j['si']).toMatchObject({ sizeBytes: 1_000_000, runtimeMs: 3_600_000 })
    expect(j['si']!.bs.read).toEqual(one(4096))
    expect(j['hex']).toMatchObject({ sizeBytes: 12288, runtimeMs: 600_000 })
    expect(j['hex']!.bs.read).toEqual(one(8192))
    expect(plan.notices.map((n) => n.option)).toContain('kb_base')
  })

  it('"readwrite": every mode, :N suffixes, and the later of rwmixread/rwmixwrite', () => {
    const j = jobs('rw-modes.fio')
    for (const rw of [
      'read',
      'write',
      'trim',
      'randread',
      'randwrite',
      'randtrim',
      'rw',
      'randrw',
      'trimwrite',
      'randtrimwrite',
    ])
      expect(j[rw]!.rw).toBe(rw)
    expect(j['read']!.rwmixread).toBe(100)
    expect(j['write']!.rwmixread).toBe(0)
    expect(j['rw']!.rwmixread).toBe(70)
    expect(j['randrw']!.rwmixread).toBe(80) // rwmixwrite=20 came last
    expect(j['trim']!.bs.trim).toEqual(one(4096))
    expect(j['read']!.bs.trim).toBeUndefined()
    expect(j['holes']!.rw).toBe('read') // read:8k skips 8k between reads: offsets only
  })

  it('"Block size": per direction, ranges in steps of the minimum, bssplit with blanks', () => {
    const j = jobs('block-sizes.fio')
    expect(j['pair']!.bs).toMatchObject({ read: one(8192), write: one(32768) })
    expect(j['trailing-comma']!.bs).toMatchObject({ read: one(8192), write: one(32768) })
    expect(j['write-only']!.bs).toMatchObject({ read: one(4096), write: one(8192) })
    const quarter = (...sizes: number[]) => sizes.map((b) => [b, 25])
    expect(j['range']!.bs).toMatchObject({
      read: quarter(1024, 2048, 3072, 4096),
      write: quarter(2048, 4096, 6144, 8192),
    })
    expect(j['range-alias']!.bs.read).toEqual(quarter(4096, 8192, 12288, 16384))
    expect(j['split']!.bs).toMatchObject({
      read: [
        [2048, 50],
        [4096, 50],
      ],
      write: [
        [4096, 90],
        [8192, 10],
      ],
    })
    expect(j['split-blank']!.bs.read).toEqual([
      [4096, 50],
      [1024, 25],
      [32768, 25],
    ]) // the HOWTO's example
    // bs_unaligned: minbs + maxbs × U, not rounded, capped at maxbs (half of the draws).
    expect(j['unaligned']!.bs.read).toEqual([
      [1024, 25],
      [1536, 25],
      [2048, 50],
    ])
    const half = [
      [32768, 50],
      [8192, 50],
    ]
    expect(j['seq-rand']!.bs).toMatchObject({ read: half, write: half })
  })

  it('"iodepth": synchronous engines run at depth 1; offload keeps the depth', () => {
    const j = jobs('depth.fio')
    for (const e of ['psync', 'sync', 'pvsync2', 'mmap']) expect(j[e]!.iodepth).toBe(1)
    for (const e of ['libaio', 'io_uring', 'offload', 'low']) expect(j[e]!.iodepth).toBe(32)
  })

  it('"I/O size" and "Time related parameters": what bounds each job', () => {
    const j = jobs('bounds.fio')
    expect(j['size']).toMatchObject({ timeBased: false, sizeBytes: 1 << 20, runtimeMs: null })
    expect(j['io_size']!.sizeBytes).toBe(3 << 20)
    expect(j['filesize']!.sizeBytes).toBe(1 << 20) // 512k × 2 files
    expect(j['time_based']).toMatchObject({ timeBased: true, runtimeMs: 100 })
    expect(j['capped']).toMatchObject({ timeBased: false, runtimeMs: 50, sizeBytes: 10 * 2 ** 30 })
    expect(j['fill']).toMatchObject({ sizeBytes: null, runtimeMs: 20 })
  })

  it('"stonewall", "wait_for", "new_group": phases', () => {
    const j = jobs('phases.fio')
    expect([
      j['a']!.phase,
      j['b']!.phase,
      j['c']!.phase,
      j['d']!.phase,
      j['e']!.phase,
      j['f']!.phase,
    ]).toEqual([0, 0, 1, 1, 2, 3])
  })

  it('"Verification": the time_based case gets fio\'s own warning as a notice', () => {
    const plan = read('verify.fio')
    expect(plan.notices.find((n) => n.option === 'verify')?.message).toMatch(/runtime ends the job before/)
  })

  it('"direct", "buffered", "iodepth" with libaio: buffered I/O is synchronous', () => {
    const j = jobs('buffered.fio')
    expect(j['default-engine']!.iodepth).toBe(1) // psync, buffered
    expect(j['libaio-buffered']!.iodepth).toBe(1)
    expect(j['buffered-writes']!.iodepth).toBe(8) // writeback keeps 8 in flight (blk-wbt)
    expect(j['sync-writes']!.iodepth).toBe(1)
    expect(j['io_uring-buffered']!.iodepth).toBe(16)
    expect(j['direct-after-buffered']!.iodepth).toBe(16) // direct=1 came last
    expect(read('buffered.fio').notices.filter((n) => n.option === 'direct').length).toBeGreaterThan(0)
  })

  it('"ioengine": passthrough, userspace drivers and engines without I/O', () => {
    const plan = read('engines.fio')
    const j = jobs('engines.fio')
    expect(j['nvme-passthrough']).toMatchObject({ rw: 'randtrim', iodepth: 8 })
    expect(j['sg']!.iodepth).toBe(1)
    expect(plan.notices.map((n) => n.message).join('\n')).toMatch(
      /virtio-blk-vfio-pci drives the device from userspace/,
    )
    expect(plan.notices.map((n) => n.message).join('\n')).toMatch(/ioengine=null transfers no data/)
  })

  it('refuses in one message, naming each option, file and line', () => {
    let error: FioJobError | undefined
    try {
      read('refused.fio')
    } catch (e) {
      error = e as FioJobError
    }
    expect(error).toBeInstanceOf(FioJobError)
    expect(error!.code).toBe('ERR_SIM_SPEC')
    expect(error!.message).not.toMatch(/\n/)
    expect(error!.problems.map((p) => [p.option, p.line])).toEqual([
      ['read_iolog', 7],
      ['iodepht', 11],
      ['ioengine', 13],
      ['mem', 15],
      ['rw', 19],
      ['bs', 17],
      ['runtime', 18],
    ])
    expect(error!.lines[1]).toBe(
      '`[typo].iodepht` is not an option fio knows (fio rejects the job: "Bad option") (refused.fio:11)',
    )
    expect(error!.lines[5]).toMatch(
      /^Expected `\[bad-values\]\.bs` to be .* got "1\.5m" \(fio reads whole numbers only and would take 1\)/,
    )
    expect(error!.lines[6]).toMatch(/"10sec" \(fio would read the unknown unit "sec" as 10 µs\)/)
  })

  it('every option the simulation models appears in one of these job files', () => {
    const text = readdirSync(DIR)
      .map((f) => readFileSync(join(DIR, f), 'utf8'))
      .join('\n')
      .replace(/^\s*[;#].*$/gm, '')
    const used = new Set([...text.matchAll(/^\s*([a-z_]+)\s*(=|$)/gm)].map((m) => m[1]!))
    const modelled = allOptions().filter((o) => o.kind === 'modelled')
    const missing = modelled.filter(
      (o) => o.kind === 'modelled' && ![o.option.name, ...(o.option.aliases ?? [])].some((n) => used.has(n)),
    )
    expect(missing.map((o) => o.name)).toEqual([])
  })
})

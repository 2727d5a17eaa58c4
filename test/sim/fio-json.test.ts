import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fioDocument, fioPlanToSpec, readFio, runSpec, toFioJson } from '../../src/sim/index.js'

// fio's JSON as fio 3.x writes it (stat.c: show_thread_status_json, add_ddir_status_json,
// add_ddir_lat_json), written down as a schema, and what tools that read it rely on. The same checks
// run on real fio output when FIO_JSON_SAMPLES names files (colon-separated): fio 3.42 and 3.33 samples
// passed them when this was written (docs/simulation.md).

type Kind = 'string' | 'int' | 'number' | 'object' | 'lat' | 'ddir' | 'levels'
const LAT: Record<string, Kind> = { min: 'int', max: 'int', mean: 'number', stddev: 'number', N: 'int' }
const DDIR: Record<string, Kind> = {
  io_bytes: 'int',
  io_kbytes: 'int',
  bw_bytes: 'int',
  bw: 'int',
  iops: 'number',
  runtime: 'int',
  total_ios: 'int',
  short_ios: 'int',
  drop_ios: 'int',
  slat_ns: 'lat',
  clat_ns: 'lat',
  lat_ns: 'lat',
  bw_min: 'int',
  bw_max: 'int',
  bw_agg: 'number',
  bw_mean: 'number',
  bw_dev: 'number',
  bw_samples: 'int',
  iops_min: 'int',
  iops_max: 'int',
  iops_mean: 'number',
  iops_stddev: 'number',
  iops_samples: 'int',
}
const JOB: Record<string, Kind> = {
  jobname: 'string',
  groupid: 'int',
  error: 'int',
  eta: 'int',
  elapsed: 'int',
  'job options': 'object',
  read: 'ddir',
  write: 'ddir',
  trim: 'ddir',
  sync: 'object',
  job_runtime: 'int',
  iodepth_level: 'levels',
  latency_ns: 'levels',
  latency_us: 'levels',
  latency_ms: 'levels',
}
const ROOT: Record<string, Kind> = {
  'fio version': 'string',
  timestamp: 'int',
  timestamp_ms: 'int',
  time: 'string',
}
/** Fields fio writes that the simulation leaves out (docs/simulation.md says why). */
const FIO_ONLY = [
  'usr_cpu',
  'sys_cpu',
  'ctx',
  'majf',
  'minf',
  'iodepth_submit',
  'iodepth_complete',
  'latency_depth',
  'latency_target',
  'latency_percentile',
  'latency_window',
]

/** Every problem of `doc` against the schema: "path: what". */
function validate(doc: unknown): string[] {
  const problems: string[] = []
  const check = (value: unknown, kind: Kind, path: string): void => {
    const isObj = typeof value === 'object' && value !== null && !Array.isArray(value)
    if (kind === 'string' && typeof value !== 'string') problems.push(`${path}: not a string`)
    else if (kind === 'int' && !Number.isSafeInteger(value)) problems.push(`${path}: not an integer`)
    else if (kind === 'number' && (typeof value !== 'number' || !Number.isFinite(value)))
      problems.push(`${path}: not a number`)
    else if (kind === 'object' && !isObj) problems.push(`${path}: not an object`)
    else if (kind === 'levels') {
      if (!isObj) problems.push(`${path}: not an object`)
      else for (const [k, v] of Object.entries(value)) check(v, 'number', `${path}.${k}`)
    } else if (kind === 'lat' || kind === 'ddir') {
      if (!isObj) return void problems.push(`${path}: not an object`)
      const fields = kind === 'lat' ? LAT : DDIR
      for (const [k, t] of Object.entries(fields))
        check((value as Record<string, unknown>)[k], t, `${path}.${k}`)
      const p = (value as Record<string, unknown>)['percentile']
      if (kind === 'lat' && p !== undefined) {
        for (const [k, v] of Object.entries(p as object)) {
          if (!/^\d+\.\d{6}$/.test(k)) problems.push(`${path}.percentile: key ${k} is not like "99.000000"`)
          check(v, 'int', `${path}.percentile.${k}`)
        }
      }
    }
  }
  const root = doc as Record<string, unknown>
  for (const [k, t] of Object.entries(ROOT)) check(root[k], t, k)
  if (!Array.isArray(root['jobs']) || root['jobs'].length === 0) problems.push('jobs: not a non-empty array')
  ;(root['jobs'] as unknown[]).forEach((job, i) => {
    for (const [k, t] of Object.entries(JOB)) check((job as Record<string, unknown>)[k], t, `jobs[${i}].${k}`)
  })
  return problems
}

/** What tools reading fio's JSON count on (t/latency_percentiles.py, tools/fio_jsonplus_clat2csv). */
function consume(doc: unknown): string[] {
  const problems: string[] = []
  for (const [i, job] of (
    (doc as { jobs: Array<Record<string, Record<string, unknown>>> }).jobs ?? []
  ).entries()) {
    for (const dir of ['read', 'write', 'trim']) {
      const d = job[dir] as Record<string, number & Record<string, number>>
      const where = `jobs[${i}].${dir}`
      const n = d['total_ios']!
      for (const lat of ['clat_ns', 'lat_ns'] as const) {
        const l = d[lat] as unknown as Record<string, number> & { percentile?: Record<string, number> }
        if (n > 0 && l['N'] !== n) problems.push(`${where}.${lat}.N ${l['N']} != total_ios ${n}`)
        if (l['N']! > 0 && !(l['min']! <= l['mean']! && l['mean']! <= l['max']!))
          problems.push(`${where}.${lat}: mean outside [min, max]`)
        const values = Object.entries(l.percentile ?? {})
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([, v]) => v)
        values.forEach((v, k) => {
          if (k > 0 && v < values[k - 1]!) problems.push(`${where}.${lat}: percentiles go down`)
          if (v < l['min']! * 0.98 || v > l['max']! * 1.02)
            problems.push(`${where}.${lat}: percentile ${v} outside [min, max]`)
        })
      }
      if (d['io_kbytes'] !== Math.floor(d['io_bytes']! / 1024)) problems.push(`${where}.io_kbytes`)
      const runtime = d['runtime']!
      if (runtime > 0) {
        if (d['bw_bytes'] !== Math.floor((1000 * d['io_bytes']!) / runtime))
          problems.push(`${where}.bw_bytes`)
        if (d['bw'] !== Math.floor(d['bw_bytes']! / 1024)) problems.push(`${where}.bw`)
        if (Math.abs(d['iops']! - (1000 * n) / runtime) > 1e-3) problems.push(`${where}.iops`)
      }
    }
  }
  return problems
}

const JOBS = `
[global]
ioengine=libaio
direct=1
bs=4k
time_based
runtime=150ms
percentile_list=50:99:99.9
[async]
rw=randrw
iodepth=8
lat_percentiles=1
[sync]
ioengine=psync
rw=randread
[pair]
new_group
group_reporting
rw=read
numjobs=2
`

async function simulate(policies: Array<'fail' | 'throttle'>) {
  const plan = readFio({ files: [{ name: 'j.fio', text: JOBS }] })
  const result = await runSpec(fioPlanToSpec(plan, { name: 'j' }), { policies })
  return { plan, result }
}

describe("fio's JSON out", () => {
  it('has the fields of fio 3.x, latencies in ns, percentiles keyed like "99.000000"', async () => {
    const { plan, result } = await simulate(['throttle'])
    const doc = JSON.parse(toFioJson(result, plan))
    expect(validate(doc)).toEqual([])
    expect(consume(doc)).toEqual([])
    expect(doc['global options']).toMatchObject({
      ioengine: 'libaio',
      bs: '4k',
      percentile_list: '50:99:99.9',
    })
    const [async, sync, pair] = doc.jobs
    expect(doc.jobs.map((j: { jobname: string; groupid: number }) => [j.jobname, j.groupid])).toEqual([
      ['async', 0],
      ['sync', 0],
      ['pair', 1],
    ])
    expect(Object.keys(async.read.clat_ns.percentile)).toEqual(['50.000000', '99.000000', '99.900000'])
    expect(Object.keys(async.read.lat_ns.percentile)).toHaveLength(3) // lat_percentiles=1
    expect(async.read.slat_ns.percentile).toBeUndefined()
    // An NVMe read at 80 µs ± 10 %: clat in ns.
    expect(sync.read.clat_ns.mean).toBeGreaterThan(70_000)
    expect(sync.read.clat_ns.mean).toBeLessThan(100_000)
    expect(sync.read.slat_ns.N).toBe(0) // a sync engine has no separate submission
    expect(async.read.slat_ns.N).toBe(async.read.total_ios)
    expect(sync.read.runtime).toBe(150)
    expect(pair.read.total_ios).toBeGreaterThan(sync.read.total_ios) // two clones in one entry
    expect(sync.iodepth_level['1']).toBe(100)
    for (const field of FIO_ONLY) expect(sync[field]).toBeUndefined()
  })

  it('gives one document per policy, and the document itself for one policy', async () => {
    const { result } = await simulate(['fail', 'throttle'])
    const both = JSON.parse(toFioJson(result))
    expect(Object.keys(both)).toEqual(['fail', 'throttle'])
    // The same document; doubles print with six decimals, as fio prints them.
    const own = JSON.parse(JSON.stringify(fioDocument(result, 'throttle')))
    expect(Object.keys(both.throttle)).toEqual(Object.keys(own))
    expect(both.throttle.jobs[0].read.total_ios).toBe(own.jobs[0].read.total_ios)
    expect(both.throttle.jobs[0].read.clat_ns.mean).toBeCloseTo(own.jobs[0].read.clat_ns.mean, 5)
    expect(validate(both.fail)).toEqual([])
  })

  const samples = (process.env['FIO_JSON_SAMPLES'] ?? '').split(':').filter((p) => p !== '')
  it.skipIf(samples.length === 0)(
    'the schema and the consumer hold for real fio output (FIO_JSON_SAMPLES)',
    () => {
      for (const path of samples) {
        const doc = JSON.parse(readFileSync(path, 'utf8').replace(/^[^{]*/, ''))
        expect(validate(doc), path).toEqual([])
        expect(consume(doc), path).toEqual([])
        for (const field of FIO_ONLY) expect(doc.jobs[0], `${path}: ${field}`).toHaveProperty(field)
      }
    },
  )
})

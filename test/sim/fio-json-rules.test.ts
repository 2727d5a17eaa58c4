import { describe, expect, it } from 'vitest'
import { CloneStats, fioDocument, readFio, type SimResult, toFioJson } from '../../src/sim/index.js'
import type { FioJsonPlan } from '../../src/sim/output/fio-json.js'
import type { FioReport } from '../../src/sim/workloads/fio-job-spec.js'

// fio's JSON rules one at a time, each on statistics written by hand (no run, no clock): what fio 3.33
// prints for the same numbers (stat.c, json.c, io_u.c; docs/simulation.md "fio's JSON").

const REPORT: FioReport = {
  groupReporting: false,
  percentiles: [50, 99],
  clat: true,
  lat: false,
  slat: false,
  countErrors: false,
  options: {},
}

function resultOf(jobs: CloneStats[]): SimResult {
  return {
    scenario: 'rules',
    seed: 1,
    poolBytes: 0,
    runtimeMs: 1000,
    cpus: 1,
    policies: { throttle: {} },
    series: { throttle: { jobs, elapsedMs: 1000 } },
  } as unknown as SimResult
}

function documentOf(jobs: CloneStats[], plan?: FioJsonPlan) {
  return JSON.parse(JSON.stringify(fioDocument(resultOf(jobs), 'throttle', plan)))
}

/** One clone that completed one 4 KiB read 0.1 ms after issue at each of `atMs`, and ended at `endMs`. */
function clone(
  atMs: number[],
  endMs: number,
  report: FioReport = REPORT,
  stats = new CloneStats('j', 0, 0, report),
) {
  const m = stats.begin(0)
  for (const t of atMs) stats.completed(m, 'read', 4096, t, 0, 0.1)
  stats.end(m, endMs)
  return stats
}

describe("fio's JSON, rule by rule", () => {
  it('latency_ns/us/ms share I/Os by completion latency, not total latency (io_u.c:1946)', () => {
    const s = new CloneStats('j', 0, 0, REPORT)
    const m = s.begin(0)
    // 500 µs in submission, 300 µs to complete: lat 800 µs is in "1000", clat 300 µs in "500".
    s.completed(m, 'read', 4096, 0.8, 0.5, 0.3)
    s.end(m, 1)
    const [job] = documentOf([s]).jobs
    expect(job.latency_us['500']).toBe(100)
    expect(job.latency_us['1000']).toBe(0)
  })

  it('sorts percentile_list ascending, as fio qsorts it (stat.c:176)', () => {
    const s = clone([0.1], 1, { ...REPORT, percentiles: [99, 50, 99.9] })
    const [job] = documentOf([s]).jobs
    expect(Object.keys(job.read.clat_ns.percentile)).toEqual(['50.000000', '99.000000', '99.900000'])
  })

  it('samples bandwidth every 500 ms while the clone runs: a 2 s job has 3 samples (stat.c:3450)', () => {
    // One read every 10 ms from 10 ms to 2000 ms: ticks at 500, 1000, 1500; the one at 2000 is the end.
    const at = Array.from({ length: 200 }, (_, i) => (i + 1) * 10)
    const [job] = documentOf([clone(at, 2000)]).jobs
    expect(job.read.bw_samples).toBe(3)
    expect(job.read.iops_samples).toBe(3)
    expect(job.read.iops_mean).toBe(100) // 50 reads in each 500 ms
    expect(job.read.bw_min).toBe(400) // 50 × 4 KiB / 0.5 s, whole KiB/s
  })

  it('samples stop at the time limit: I/Os in flight then end the clone a little later (fio 3.33: 3 for 2 s)', () => {
    const s = new CloneStats('j', 0, 0, REPORT)
    const m = s.begin(0, 2000)
    for (let i = 1; i <= 200; i++) s.completed(m, 'read', 4096, i * 10, 0, 0.1)
    s.completed(m, 'read', 4096, 2000.08, 0, 0.1) // in flight at the limit
    s.end(m, 2000.08)
    expect(documentOf([s]).jobs[0].read.bw_samples).toBe(3)
  })

  it('a period with no I/O adds no sample (stat.c:3478, "No entries for interval")', () => {
    const [job] = documentOf([clone([100, 1600], 2100)]).jobs
    expect(job.read.iops_samples).toBe(2) // [0, 500] and [1500, 2000]; [500, 1500] had none
  })

  it('group_reporting adds up the clones: job_runtime, bw/iops samples, min, max and mean (stat.c:1986, 2328)', () => {
    const group = new CloneStats('g', 0, 0, { ...REPORT, groupReporting: true })
    const every = (ms: number) => Array.from({ length: 2000 / ms }, (_, i) => (i + 1) * ms)
    clone(every(10), 2000, REPORT, group) // 100 IOPS
    clone(every(5), 2000, REPORT, group) // 200 IOPS
    const [job] = documentOf([group]).jobs
    expect(job.job_runtime).toBe(4000)
    expect(job.read.runtime).toBe(2000)
    expect(job.read.iops_samples).toBe(6)
    expect(job.read.iops_mean).toBe(300)
    expect(job.read.iops_min).toBe(300)
    expect(job.read.bw_mean).toBe(1200)
    expect(job.read.total_ios).toBe(600)
  })

  it('prints doubles as fio does, with six decimals; integers stay integers (json.c:357)', () => {
    const text = toFioJson(resultOf([clone([100, 200], 1000)]))
    expect(text).toContain('"iops": 2.000000')
    expect(text).toContain('"250": 100.000000') // latency_us
    expect(text).toContain('"bw_agg": 100.000000')
    expect(text).toContain('"stddev": 0.000000')
    expect(text).toContain('"total_ios": 2,')
    expect(text).toMatch(/"50\.000000": \d+,/) // percentile values are integers
    expect(JSON.parse(text).jobs[0].read.iops).toBe(2)
  })

  it('leaves out empty "global options" and "job options" (stat.c:1667)', () => {
    const doc = documentOf([clone([1], 2)], { globalOptions: {}, phases: [] })
    expect(doc).not.toHaveProperty('global options')
    expect(doc.jobs[0]).not.toHaveProperty('job options')
  })

  it('job options: name when the job was named on the command line, no bare flags (parse.c:1161, json.c:59)', () => {
    const plan = readFio({
      args: [
        '--name=x',
        '--rw=read',
        '--time_based',
        '--runtime=1',
        '--group_reporting',
        '--description=hi there',
      ],
    })
    const s = new CloneStats('x', 0, 0, { ...REPORT, options: plan.phases[0]!.jobs[0]!.options })
    clone([1], 2, REPORT, s)
    const [job] = documentOf([s], plan).jobs
    expect(job['job options']).toEqual({ name: 'x', rw: 'read', runtime: '1', description: 'hi there' })
    expect(job.desc).toBe('hi there') // stat.c:1825
  })
})

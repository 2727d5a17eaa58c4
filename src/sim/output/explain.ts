import { formatBytes } from '../../index.js'
import { isBlockDevice } from '../devices/registry.js'
import type { SimSpec } from '../spec.js'
import type { FioJob, FioPlan } from '../workloads/fio/job.js'

/** [bytes, percent] pairs of one direction. */
export type ExplainSizes = Array<[number, number]>

/** One job as `dma-throttle explain --json` prints it. */
export interface ExplainJob {
  name: string
  rw: string
  numjobs: number
  /** The effective depth: I/Os in flight per clone. */
  iodepth: number
  timeBased: boolean
  runtimeMs: number | null
  sizeBytes: number | null
  rwmixread: number
  bs: { read: ExplainSizes; write: ExplainSizes; trim?: ExplainSizes }
}

/** What `dma-throttle explain --json` prints: what the simulator understood. */
export interface Explanation {
  phases: Array<{ jobs: ExplainJob[] }>
  notices: Array<{ option: string; message: string }>
}

const round = (p: number): number => Math.round(p * 1e6) / 1e6

function fioJob(job: FioJob): ExplainJob {
  const bs: ExplainJob['bs'] = {
    read: job.bs.read.map(([b, p]) => [b, round(p)]),
    write: job.bs.write.map(([b, p]) => [b, round(p)]),
  }
  if (job.mode.trims) bs.trim = job.bs.trim.map(([b, p]) => [b, round(p)])
  return {
    name: job.name,
    rw: job.mode.rw,
    numjobs: job.numjobs,
    iodepth: job.iodepth,
    timeBased: job.timeBased,
    runtimeMs: job.runtimeMs,
    sizeBytes: job.sizeBytes,
    rwmixread: job.rwmixread,
    bs,
  }
}

/** The explanation of a plan read from fio job files or a fio command line. */
export function explainPlan(plan: FioPlan): Explanation {
  return {
    phases: plan.phases.map((p) => ({ jobs: p.jobs.map(fioJob) })),
    notices: plan.notices.map(({ option, message }) => ({ option, message })),
  }
}

/** The explanation of a JSON spec or scenario: its jobs run side by side, for the runtime. */
export function explainSpec(spec: SimSpec): Explanation {
  const jobs = spec.jobs.map((job): ExplainJob => {
    const sizes: ExplainSizes = job.bssplit.map((e) => [e.bytes, round(e.weight)])
    const reads = job.rw === 'read' || job.rw === 'randread'
    const writes = job.rw === 'write' || job.rw === 'randwrite'
    return {
      name: job.name,
      rw: job.rw,
      numjobs: job.numjobs,
      iodepth: job.iodepth,
      timeBased: true,
      runtimeMs: job.runtimeMs,
      sizeBytes: null,
      rwmixread: reads ? 100 : writes ? 0 : job.rwmixread,
      bs: { read: sizes, write: sizes },
    }
  })
  const notices = (spec.notices ?? []).map(({ option, message }) => ({ option, message }))
  return { phases: jobs.length === 0 ? [] : [{ jobs }], notices }
}

function sizesText(d: ExplainSizes): string {
  if (d.length === 1) return formatBytes(d[0]![0])
  if (d.length > 6) {
    const min = Math.min(...d.map(([b]) => b))
    const max = Math.max(...d.map(([b]) => b))
    return `${formatBytes(min)}–${formatBytes(max)} (${d.length} sizes)`
  }
  return d.map(([b, p]) => `${formatBytes(b)}/${round(p)}%`).join(' ')
}

function duration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`
  if (ms >= 1000) return `${ms / 1000} s`
  return `${ms} ms`
}

/** The first line of the text: what was read, and the machine it runs on. */
export function formatExplainTitle(name: string, spec: SimSpec, e: Explanation): string {
  const jobs = e.phases.reduce((n, p) => n + p.jobs.length, 0)
  const device = spec.devices.find(isBlockDevice)
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
  return (
    `${name}: ${plural(e.phases.length, 'phase')}, ${plural(jobs, 'job')}; ` +
    `${spec.cpus} CPUs, ${formatBytes(spec.pool.size)} pool${device === undefined ? '' : `, ${device.name} (${device.type})`}; ` +
    `about ${duration(Math.round(spec.runtimeMs))} simulated`
  )
}

/** The explanation as text for a terminal. */
export function explanationText(title: string, e: Explanation, details?: string[][]): string {
  const lines = [title]
  e.phases.forEach((phase, i) => {
    lines.push('', `phase ${i + 1}`)
    for (const [k, j] of phase.jobs.entries()) {
      const mix = j.rw.includes('rw') ? ` ${j.rwmixread}% reads` : ''
      const bound = j.timeBased
        ? `time-based, ${j.runtimeMs === null ? 'no runtime' : duration(j.runtimeMs)}`
        : `${j.sizeBytes === null ? 'no size bound' : `${formatBytes(j.sizeBytes)} per clone`}${j.runtimeMs === null ? '' : `, at most ${duration(j.runtimeMs)}`}`
      const sizes = [`read ${sizesText(j.bs.read)}`, `write ${sizesText(j.bs.write)}`]
      if (j.bs.trim !== undefined) sizes.push(`trim ${sizesText(j.bs.trim)}`)
      lines.push(
        `  ${j.name}: ${j.rw}${mix}, ${j.numjobs} × depth ${j.iodepth}, ${bound}; bs ${sizes.join(', ')}`,
      )
      const more = details?.[i]?.[k]
      if (more !== undefined) lines.push(`    ${more}`)
    }
  })
  if (e.notices.length > 0) {
    lines.push('', 'notices')
    for (const n of e.notices) lines.push(`  ${n.option}: ${n.message}`)
  }
  return lines.join('\n')
}

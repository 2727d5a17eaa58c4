import { formatBytes } from '../../index.js'
import type { FioJob, FioPlan } from '../workloads/fio/job.js'

const ms = (v: number): string => (v >= 1000 && v % 1000 === 0 ? `${v / 1000} s` : `${v} ms`)

function rates(job: FioJob): string | undefined {
  const { rate: bytes, rateIops: iops, mode } = job
  const parts: string[] = []
  const issued = { read: mode.reads, write: mode.writes, trim: mode.trims }
  for (const dir of ['read', 'write', 'trim'] as const) {
    if (!issued[dir]) continue
    const b = bytes[dir]
    const n = iops[dir]
    if (b !== null) parts.push(`${dir} ${formatBytes(b)}/s`)
    else if (n !== null) parts.push(`${dir} ${n} IOPS`)
  }
  return parts.length === 0 ? undefined : `rate ${parts.join(', ')}`
}

/** What the text view says about a job beyond the JSON fields: engine, rate, delays, pauses, verify. */
function details(job: FioJob): string {
  const parts = [`${job.engine}${job.direct ? '' : ', buffered'}`]
  if (job.engineKind !== 'async' && job.engineKind !== 'sync') parts.push('maps nothing')
  const rate = rates(job)
  if (rate !== undefined) parts.push(`${rate}${job.rateProcess === 'poisson' ? ' (poisson)' : ''}`)
  if (job.rampMs > 0) parts.push(`ramp ${ms(job.rampMs)}`)
  const [lo, hi] = job.startDelayMs
  if (hi > 0) parts.push(`starts at ${lo === hi ? ms(lo) : `${ms(lo)}–${ms(hi)}`}`)
  if (job.thinktime !== null)
    parts.push(`thinks ${ms(job.thinktime.us / 1000)} every ${job.thinktime.blocks} I/Os`)
  if (job.numberIos !== null) parts.push(`${job.numberIos} I/Os`)
  if (job.loops > 1) parts.push(`${job.loops} loops`)
  if (job.verify !== null)
    parts.push(job.verify.readBack ? 'reads back what it wrote' : 'verify without read-back')
  if (job.after.length > 0) parts.push(`after ${job.after.join(', ')}`)
  return parts.join('; ')
}

/** Per phase, per job: the details line of `explanationText`. */
export function planDetails(plan: FioPlan): string[][] {
  return plan.phases.map((p) => p.jobs.map(details))
}

import { type BlockDeviceSpec, isBlockDevice } from '../../devices/registry.js'
import { parseSpec } from '../../parse-spec.js'
import type { JobSpec, RwMode, SimSpec } from '../../spec.js'
import type { FioJobSpec } from '../fio-job-spec.js'
import type { SizeDistribution } from './block-sizes.js'
import { estimateJobMs } from './estimate.js'
import type { FioJob, FioPlan } from './job.js'
import { UNBOUNDED_RUNTIME_MS } from './plan.js'

/** The machine a fio job file runs on (the CLI's --pool and a JSON spec's cpus and pool change it). */
export interface FioMachine {
  name: string
  cpus?: number
  pool?: string | number
}

/**
 * A simulation spec from a fio plan: its jobs on the default machine (one NVMe drive nvme0, 16 CPUs,
 * a 64 MiB pool). The run lasts until every job has finished; `runtimeMs` is the estimate of that,
 * for progress and the wall-time estimate.
 */
export function fioPlanToSpec(plan: FioPlan, machine: FioMachine): SimSpec {
  const base = parseSpec({
    name: machine.name,
    ...(machine.cpus === undefined ? {} : { cpus: machine.cpus }),
    ...(machine.pool === undefined ? {} : { pool: machine.pool }),
    jobs: [{ name: 'placeholder' }],
  })
  const device = base.devices.find(isBlockDevice)!
  const jobs = plan.phases.flatMap((p) => p.jobs).map((job) => toJobSpec(job, device.name))
  const estimate = estimateRunMs(jobs, device)
  return {
    ...base,
    description: `fio job file on the default machine: ${device.name} (${device.type}), ${base.cpus} CPUs`,
    jobs,
    runtimeMs: estimate,
    sampleMs: Math.max(1, estimate / 20),
  }
}

const LEGACY_RW: Record<string, RwMode> = {
  read: 'read',
  write: 'write',
  trim: 'write',
  randread: 'randread',
  randwrite: 'randwrite',
  randtrim: 'randwrite',
  rw: 'rw',
  randrw: 'randrw',
  trimwrite: 'write',
  randtrimwrite: 'randwrite',
}

function sizes(d: SizeDistribution): Array<{ bytes: number; weight: number }> {
  return d.map(([bytes, weight]) => ({ bytes, weight }))
}

export function toJobSpec(job: FioJob, device: string): JobSpec {
  const { mode } = job
  const bs = job.buffered?.bs ?? job.bs
  const bounded =
    job.runtimeMs !== null || (!job.timeBased && (job.sizeBytes !== null || job.numberIos !== null))
  const runtimeMs = job.runtimeMs ?? (bounded ? Number.POSITIVE_INFINITY : UNBOUNDED_RUNTIME_MS)
  const readShare = mode.reads ? (mode.writes ? job.rwmixread : 100) : 0
  const writeShare = mode.writes && !mode.trimThenWrite ? 100 - readShare : 0
  const depthByDirection = job.buffered
    ? { read: job.buffered.readDepth, write: job.buffered.writeDepth, trim: job.iodepth }
    : { read: job.iodepth, write: job.iodepth, trim: job.iodepth }
  const depth = job.buffered
    ? (mode.reads ? depthByDirection.read : 0) + (mode.writes ? depthByDirection.write : 0) || 1
    : job.iodepth
  const fio: FioJobSpec = {
    after: job.after,
    group: job.group,
    noIo: job.engineKind !== 'async' && job.engineKind !== 'sync',
    syncEngine: job.engineKind === 'sync' && job.iodepth === 1,
    startDelayMs: job.startDelayMs,
    rampMs: job.rampMs,
    timeBased: job.timeBased,
    runtimeMs,
    sizeBytes: job.sizeBytes,
    numberIos: job.numberIos,
    loops: job.loops,
    mix: { read: readShare, write: writeShare, trim: mode.trims && !mode.trimThenWrite ? 100 : 0 },
    trimThenWrite: mode.trimThenWrite,
    sizes: { read: sizes(bs.read), write: sizes(bs.write), trim: sizes(bs.trim) },
    depth,
    depthByDirection,
    iodepthLow: Math.min(depth, job.iodepthLow),
    completeMin: Math.min(depth, job.completeMin),
    rateBytes: job.rate,
    rateIops: job.rateIops,
    poisson: job.rateProcess === 'poisson',
    rateIgnoreThinktime: job.rateIgnoreThinktime,
    thinktime: job.thinktime,
    verify: job.verify,
    exitall: job.exitall,
    flow: job.flow,
    trimDmaBytes: job.trimDmaBytes,
    bwAvgMs: job.output.bwAvgMs,
    iopsAvgMs: job.output.iopsAvgMs,
    report: {
      groupReporting: job.output.groupReporting,
      percentiles: job.output.percentiles,
      clat: job.output.clat,
      lat: job.output.lat,
      slat: job.output.slat,
      countErrors: job.continueOnError !== 'none',
      options: job.options,
    },
  }
  return {
    name: job.name,
    device,
    rw: LEGACY_RW[mode.rw]!,
    rwmixread: job.rwmixread,
    bssplit: sizes(mode.reads ? bs.read : mode.writes ? bs.write : bs.trim),
    iodepth: depth,
    numjobs: job.numjobs,
    rateIops: undefined,
    runtimeMs: Number.isFinite(runtimeMs) ? runtimeMs : estimateJobMs(fio, undefined),
    startDelayMs: job.startDelayMs[0],
    startDelaySpreadMs: job.startDelayMs[1] - job.startDelayMs[0],
    rateProcess: job.rateProcess,
    cpus: job.cpus,
    continueOnError: job.continueOnError,
    fio,
  }
}

/** Phases in sequence, jobs of a phase side by side: the estimated span of the run, at least 1 ms. */
function estimateRunMs(jobs: readonly JobSpec[], device: BlockDeviceSpec): number {
  const end = new Map<string, number>()
  let last = 1
  for (const job of jobs) {
    const f = job.fio!
    const start = Math.max(f.startDelayMs[1], ...f.after.map((name) => end.get(name) ?? 0))
    const finish = start + estimateJobMs(f, device, job.numjobs)
    end.set(job.name, Math.max(end.get(job.name) ?? 0, finish))
    last = Math.max(last, finish)
  }
  return last
}

import { type BlockDeviceSpec, isBlockDevice } from '../../devices/registry.js'
import type { SimSpec } from '../../spec.js'
import type { FioJobSpec, IoDirection } from '../fio-job-spec.js'

type Device = BlockDeviceSpec

const DIRS: readonly IoDirection[] = ['read', 'write', 'trim']

/** Mean I/O size of a job, over its directions' shares. */
function meanBytes(f: FioJobSpec): number {
  let sum = 0
  let weight = 0
  for (const dir of DIRS) {
    const share = f.trimThenWrite && dir !== 'read' ? 50 : f.mix[dir]
    if (share === 0) continue
    const sizes = f.sizes[dir]
    const total = sizes.reduce((s, e) => s + e.weight, 0)
    const mean = sizes.reduce((s, e) => s + (e.bytes * e.weight) / total, 0)
    sum += mean * share
    weight += share
  }
  return weight === 0 ? 4096 : sum / weight
}

/**
 * I/Os per second one clone can expect: its depth over the device's service time, the device's
 * bandwidth shared by `clones`, and any rate cap. A rough guide for the wall-time estimate and the
 * progress line, never used by the simulation itself.
 */
export function estimateCloneIops(f: FioJobSpec, device: Device | undefined, clones = 1): number {
  const bytes = meanBytes(f)
  let iops = Number.POSITIVE_INFINITY
  if (device !== undefined) {
    const serviceS = device.latencyUs / 1e6 + bytes / device.bandwidth
    iops = Math.min(f.depth / serviceS, device.bandwidth / bytes / Math.max(1, clones))
  } else iops = f.depth * 10_000
  let cap = 0
  let capped = false
  for (const dir of DIRS) {
    const b = f.rateBytes[dir]
    const n = f.rateIops[dir]
    if (b === null && n === null) continue
    capped = true
    cap += b !== null ? b / bytes : n!
  }
  if (capped) iops = Math.min(iops, cap)
  if (f.thinktime !== null && f.thinktime.us > 0) {
    const perBlockS = f.thinktime.us / 1e6 / f.thinktime.blocks
    iops = 1 / (1 / iops + perBlockS)
  }
  return Math.max(1, iops)
}

/** How long one clone of the job runs (ramp included), ms. */
export function estimateJobMs(f: FioJobSpec, device: Device | undefined, clones = 1): number {
  const limit = f.runtimeMs
  if (f.noIo) return Number.isFinite(limit) ? f.rampMs + limit : 0
  if (f.timeBased) return f.rampMs + (Number.isFinite(limit) ? limit : 1000)
  const iops = estimateCloneIops(f, device, clones)
  let ios = Number.POSITIVE_INFINITY
  if (f.sizeBytes !== null) ios = f.sizeBytes / meanBytes(f)
  if (f.numberIos !== null) ios = Math.min(ios, f.numberIos)
  const readBack = f.verify?.readBack === true ? 1 + f.mix.write / 100 : 1
  const work = ((ios * f.loops * readBack) / iops) * 1000
  return f.rampMs + Math.min(work, limit)
}

/** Block I/Os the fio jobs of a run are expected to simulate, per policy (other jobs count 0). */
export function estimateIos(spec: SimSpec): number {
  const device = spec.devices.find(isBlockDevice)
  let ios = 0
  for (const job of spec.jobs) {
    const f = job.fio
    if (f === undefined || f.noIo) continue
    ios +=
      (job.numjobs * estimateCloneIops(f, device, job.numjobs) * estimateJobMs(f, device, job.numjobs)) / 1000
  }
  return ios
}

import { SpecError } from '../errors.js'
import type { JobSpec, RwMode } from '../spec.js'
import { parseRateProcess, parseStartDelay } from './arrivals.js'
import { parseBssplit } from './bssplit.js'
import { type NoticeSink, OTHER_FIO_KEYS, readOtherFioKeys } from './job-fio-keys.js'
import { bytes, cpuList, fioTime, int, type Raw, str } from './values.js'

/** The fio options a job understands. */
export const JOB_KEYS = [
  'name',
  'device',
  'filename',
  'rw',
  'readwrite',
  'rwmixread',
  'rwmixwrite',
  'bs',
  'bssplit',
  'iodepth',
  'numjobs',
  'rate_iops',
  'runtime',
  'startdelay',
  'rate_process',
  'cpus_allowed',
  'continue_on_error',
] as const

const RW: Record<string, RwMode> = {
  read: 'read',
  write: 'write',
  randread: 'randread',
  randwrite: 'randwrite',
  rw: 'rw',
  readwrite: 'rw',
  randrw: 'randrw',
}

export interface JobContext {
  cpus: number
  runtimeMs: number
  devices: readonly string[]
  /** Where notices go (options with no effect, assumptions); parseSpec puts them in the spec. */
  notice?: NoticeSink
  /** The job is the spec's first (default true): a stonewall there waits for nothing. */
  first?: boolean
}

/**
 * A job from fio options (JSON values or job-file strings). `field` names the job in messages, e.g.
 * `jobs[0]` or `[randread]`. Block sizes above 256 KiB are allowed: they become scatter-gather lists.
 */
export function parseJob(field: string, raw: Raw, ctx: JobContext): JobSpec {
  for (const key of Object.keys(raw)) {
    if (
      !(JOB_KEYS as readonly string[]).includes(key) &&
      !(OTHER_FIO_KEYS as readonly string[]).includes(key)
    ) {
      throw new SpecError(
        `${field}.${key}`,
        `a supported fio option (${[...JOB_KEYS, ...OTHER_FIO_KEYS].join(', ')})`,
        raw[key],
      )
    }
  }
  const name = str(`${field}.name`, raw['name'] ?? field)
  const device = jobDevice(field, raw, ctx.devices)
  const rwValue = raw['rw'] ?? raw['readwrite'] ?? 'read'
  const rw = typeof rwValue === 'string' && Object.hasOwn(RW, rwValue) ? RW[rwValue] : undefined
  if (rw === undefined) throw new SpecError(`${field}.rw`, `one of ${Object.keys(RW).join(', ')}`, rwValue)
  let rwmixread = 50
  if (raw['rwmixread'] !== undefined) rwmixread = int(`${field}.rwmixread`, raw['rwmixread'], 0, 100)
  else if (raw['rwmixwrite'] !== undefined)
    rwmixread = 100 - int(`${field}.rwmixwrite`, raw['rwmixwrite'], 0, 100)
  // As in fio, bssplit wins over bs (a [global] bs, say).
  const bssplit =
    raw['bssplit'] !== undefined
      ? parseBssplit(`${field}.bssplit`, raw['bssplit'])
      : [{ bytes: bytes(`${field}.bs`, raw['bs'] ?? '4k'), weight: 100 }]
  for (const entry of bssplit) {
    if (entry.bytes > 64 * 1024 * 1024) throw new SpecError(`${field}.bs`, 'at most 64M', entry.bytes)
  }
  const rateIops = raw['rate_iops'] === undefined ? undefined : int(`${field}.rate_iops`, raw['rate_iops'], 1)
  const fio = readOtherFioKeys(
    field,
    raw,
    { rw, bssplit, iodepth: int(`${field}.iodepth`, raw['iodepth'] ?? 1, 1, 65536) },
    { first: ctx.first ?? true, notice: ctx.notice ?? (() => {}) },
  )
  const runtimeMs = raw['runtime'] === undefined ? ctx.runtimeMs : fioTime(`${field}.runtime`, raw['runtime'])
  if (!(runtimeMs > 0)) throw new SpecError(`${field}.runtime`, 'a duration > 0', raw['runtime'])
  return {
    name,
    device,
    rw,
    rwmixread,
    bssplit: fio.bssplit,
    iodepth: fio.iodepth,
    numjobs: int(`${field}.numjobs`, raw['numjobs'] ?? 1, 1, 4096),
    rateIops,
    runtimeMs,
    ...arrivalFields(field, raw),
    cpus:
      raw['cpus_allowed'] === undefined
        ? undefined
        : cpuList(`${field}.cpus_allowed`, raw['cpus_allowed'], ctx.cpus),
    continueOnError: continueOnError(`${field}.continue_on_error`, raw['continue_on_error']),
  }
}

const CONTINUE: Record<string, JobSpec['continueOnError']> = {
  none: 'none',
  '0': 'none',
  read: 'read',
  write: 'write',
  io: 'io',
  all: 'io',
  '1': 'io',
}

function continueOnError(field: string, value: unknown): JobSpec['continueOnError'] {
  if (value === undefined) return 'none'
  const key = String(value)
  const mode = Object.hasOwn(CONTINUE, key) ? CONTINUE[key] : undefined
  if (mode === undefined) throw new SpecError(field, 'one of none, read, write, io, all', value)
  return mode
}

/** `device`, or fio's `filename` ('/dev/nvme0n1' → nvme0, '/dev/sda' → sda); default: the first device. */
function jobDevice(field: string, raw: Raw, devices: readonly string[]): string {
  let value = raw['device']
  let key = 'device'
  if (value === undefined && raw['filename'] !== undefined) {
    key = 'filename'
    value = raw['filename']
    if (typeof value === 'string') value = value.replace(/^\/dev\//, '').replace(/^(nvme\d+)n\d+$/, '$1')
  }
  if (value === undefined) {
    const first = devices[0]
    if (first === undefined) throw new SpecError(`${field}.device`, 'the name of a block device', value)
    return first
  }
  if (typeof value !== 'string' || !devices.includes(value)) {
    throw new SpecError(`${field}.${key}`, `a block device of the machine (${devices.join(', ')})`, raw[key])
  }
  return value
}

/** What a seed may move: the start within a `startdelay` range, and the gaps of `rate_process`. */
function arrivalFields(
  field: string,
  raw: Raw,
): Pick<JobSpec, 'startDelayMs' | 'startDelaySpreadMs' | 'rateProcess'> {
  const { startDelayMs, spreadMs } = parseStartDelay(`${field}.startdelay`, raw['startdelay'])
  return {
    startDelayMs,
    startDelaySpreadMs: spreadMs,
    rateProcess: parseRateProcess(`${field}.rate_process`, raw['rate_process']),
  }
}

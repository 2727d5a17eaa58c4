import { atomicPoolBytesFor, SEGMENT_SLOTS, SLOT_SIZE } from '../index.js'
import { DEVICE_KINDS, deviceKind, parseDevice } from './devices/registry.js'
import { SpecError } from './errors.js'
import { DEFAULT_POLICIES, type PolicyName, resolvePolicies } from './policies.js'
import {
  DEFAULT_MEMORY_BYTES,
  DEFAULT_TUNING,
  type HogSpec,
  type PolicyTuning,
  type PoolSpec,
  type SimSpec,
} from './spec.js'
import { DEFAULT_VCPU, type VcpuSpec } from './vcpus.js'
import { parseJob } from './workloads/job.js'
import { bytes, checkKeys, fioTime, int, isRaw, num, type Raw, str } from './workloads/values.js'

const SEGMENT_BYTES = SEGMENT_SLOTS * SLOT_SIZE
const TOP_KEYS = [
  'name',
  'description',
  'cpus',
  'memory',
  'vcpu',
  'pool',
  'runtime',
  'sampleMs',
  'devices',
  'jobs',
  'hogs',
  'policies',
  'tuning',
]

/** Device kinds that make their own traffic, so a spec with one of them needs no job. */
const TRAFFIC_TYPES = DEVICE_KINDS.filter((k) => !k.blockIo)
  .map((k) => k.type)
  .join(' or ')

/** The machine a spec gets when it names no devices: one NVMe controller. */
export const DEFAULT_DEVICES: readonly Raw[] = [{ name: 'nvme0', type: 'nvme' }]

/**
 * Validates a simulation spec (parsed JSON) and fills in the defaults. Every bad value throws a
 * SpecError naming its field, e.g. `jobs[0].iodepth`, or `[randread].iodepth` for jobs that came from
 * a fio job file (`jobFile`). Options accepted with no effect, and modelling assumptions, are in
 * `notices` (absent when there are none), as a fio job file's are in its plan.
 */
export function parseSpec(input: unknown, options: { jobFile?: boolean } = {}): SimSpec {
  if (!isRaw(input)) throw new SpecError('spec', 'a JSON object', input)
  checkKeys('spec', input, TOP_KEYS)
  const cpus = int('cpus', input['cpus'] ?? 16, 1, 1024)
  const memory = bytes('memory', input['memory'] ?? DEFAULT_MEMORY_BYTES, 64 * 1024 * 1024)
  const pool = parsePool(input['pool'] ?? '64M', cpus)
  const devices = list('devices', input['devices'] ?? DEFAULT_DEVICES).map((raw, i) =>
    parseDevice(`devices[${i}]`, raw),
  )
  unique('devices', devices)
  const blockDevices = devices.filter((d) => deviceKind(d.type).blockIo).map((d) => d.name)
  const givenRuntime = input['runtime'] === undefined ? undefined : fioTime('runtime', input['runtime'])
  if (givenRuntime !== undefined && !(givenRuntime > 0))
    throw new SpecError('runtime', 'a duration > 0', input['runtime'])
  const notices: Array<{ option: string; message: string }> = []
  const jobs = list('jobs', input['jobs'] ?? []).map((raw, i) =>
    parseJob(options.jobFile === true ? `[${String(raw['name'])}]` : `jobs[${i}]`, raw, {
      cpus,
      runtimeMs: givenRuntime ?? 1000,
      devices: blockDevices,
      first: i === 0,
      notice: (option, message) => notices.push({ option, message }),
    }),
  )
  unique('jobs', jobs)
  const runtimeMs =
    givenRuntime ?? Math.max(1000, ...jobs.map((j) => j.startDelayMs + j.startDelaySpreadMs + j.runtimeMs))
  const hogs = list('hogs', input['hogs'] ?? []).map((raw, i) => parseHog(`hogs[${i}]`, raw, runtimeMs, cpus))
  if (jobs.length === 0 && hogs.length === 0 && devices.every((d) => deviceKind(d.type).blockIo)) {
    throw new SpecError(
      'jobs',
      `at least one job (or a hog, or a device of type ${TRAFFIC_TYPES})`,
      input['jobs'],
    )
  }
  return {
    name: str('name', input['name'] ?? 'spec'),
    description: typeof input['description'] === 'string' ? input['description'] : '',
    cpus,
    memory,
    vcpu: parseVcpu(input['vcpu']),
    pool,
    devices,
    jobs,
    hogs,
    runtimeMs,
    sampleMs: num('sampleMs', input['sampleMs'] ?? Math.max(1, runtimeMs / 20), 0.001),
    policies: parsePolicies(input['policies']),
    tuning: parseTuning(input['tuning'], memory),
    ...(notices.length === 0 ? {} : { notices }),
  }
}

function list(field: string, value: unknown): Raw[] {
  if (!Array.isArray(value)) throw new SpecError(field, 'an array', value)
  return value.map((item, i) => {
    if (!isRaw(item)) throw new SpecError(`${field}[${i}]`, 'an object', item)
    return item
  })
}

function unique(field: string, items: ReadonlyArray<{ name: string }>): void {
  const seen = new Set<string>()
  items.forEach((item, i) => {
    if (seen.has(item.name)) throw new SpecError(`${field}[${i}].name`, 'a name not used before', item.name)
    seen.add(item.name)
  })
}

/** A pool size ('32M') or { size, areas }. Sizes round up to a segment (256 KiB), as the kernel's. */
export function parsePool(value: unknown, cpus: number): PoolSpec {
  const raw: Raw = isRaw(value) ? value : { size: value }
  checkKeys('pool', raw, ['size', 'areas'])
  const size =
    Math.ceil(bytes('pool.size', raw['size'] ?? '64M', SEGMENT_BYTES) / SEGMENT_BYTES) * SEGMENT_BYTES
  const segments = size / SEGMENT_BYTES
  const fallback = Math.min(2 ** Math.ceil(Math.log2(cpus)), 2 ** Math.floor(Math.log2(segments)))
  const areas = int('pool.areas', raw['areas'] ?? fallback, 1, segments)
  if ((areas & (areas - 1)) !== 0) throw new SpecError('pool.areas', 'a power of two', raw['areas'])
  return { size, areas }
}

function parseHog(field: string, raw: Raw, runtimeMs: number, cpus: number): HogSpec {
  checkKeys(field, raw, ['name', 'bytes', 'atMs', 'holdMs', 'retryMs', 'cpu'])
  return {
    name: str(`${field}.name`, raw['name'] ?? `hog${field.replace(/\D/g, '')}`),
    bytes: bytes(`${field}.bytes`, raw['bytes']),
    atMs: num(`${field}.atMs`, raw['atMs'] ?? 0, 0),
    holdMs: num(`${field}.holdMs`, raw['holdMs'] ?? runtimeMs, 0),
    retryMs: raw['retryMs'] === undefined ? undefined : num(`${field}.retryMs`, raw['retryMs'], 0.001),
    cpu: int(`${field}.cpu`, raw['cpu'] ?? 0, 0, cpus - 1),
  }
}

/** Policy names or aliases ('fair'), each resolved to its one spelling. */
function parsePolicies(value: unknown): PolicyName[] {
  if (value === undefined) return [...DEFAULT_POLICIES]
  if (!Array.isArray(value) || value.length === 0) throw new SpecError('policies', 'a non-empty array', value)
  return resolvePolicies(value).map((p) => p.name)
}

/** `vcpu`: { copyBandwidth, submitUs, completeUs }, each defaulting to DEFAULT_VCPU's. */
function parseVcpu(value: unknown): VcpuSpec {
  if (value === undefined) return { ...DEFAULT_VCPU }
  if (!isRaw(value)) throw new SpecError('vcpu', 'an object { copyBandwidth, submitUs, completeUs }', value)
  checkKeys('vcpu', value, ['copyBandwidth', 'submitUs', 'completeUs'])
  const d = DEFAULT_VCPU
  return {
    copyBandwidth: bytes('vcpu.copyBandwidth', value['copyBandwidth'] ?? d.copyBandwidth),
    submitUs: num('vcpu.submitUs', value['submitUs'] ?? d.submitUs, 0),
    completeUs: num('vcpu.completeUs', value['completeUs'] ?? d.completeUs, 0),
  }
}

function parseTuning(value: unknown, memory: number): PolicyTuning {
  const atomicPoolBytes = atomicPoolBytesFor(memory)
  if (value === undefined) return { ...DEFAULT_TUNING, atomicPoolBytes }
  if (!isRaw(value)) throw new SpecError('tuning', 'an object', value)
  checkKeys('tuning', value, [
    'high',
    'low',
    'waitMs',
    'maxBytes',
    'chunkBytes',
    'atUsage',
    'growCost',
    'atomicPoolBytes',
    'transientFrom',
  ])
  const d = DEFAULT_TUNING
  const from = value['transientFrom'] ?? d.transientFrom
  if (from !== 'atomic' && from !== 'pages')
    throw new SpecError('tuning.transientFrom', "'atomic' or 'pages'", from)
  const cost = value['growCost'] ?? d.growCost
  if (!isRaw(cost)) throw new SpecError('tuning.growCost', 'an object { fixedMs, perMiBMs }', cost)
  checkKeys('tuning.growCost', cost, ['fixedMs', 'perMiBMs'])
  const high = num('tuning.high', value['high'] ?? d.high, 0.01, 1)
  const chunkBytes =
    value['chunkBytes'] === undefined ? d.chunkBytes : segments('tuning.chunkBytes', value['chunkBytes'])
  return {
    high,
    low: num('tuning.low', value['low'] ?? Math.min(d.low, high), 0.01, high),
    waitMs: num('tuning.waitMs', value['waitMs'] ?? d.waitMs, 0),
    maxBytes: value['maxBytes'] === undefined ? undefined : bytes('tuning.maxBytes', value['maxBytes']),
    chunkBytes,
    atUsage: num('tuning.atUsage', value['atUsage'] ?? d.atUsage, 0.01, 1),
    growCost: {
      fixedMs: num('tuning.growCost.fixedMs', cost['fixedMs'] ?? 0, 0),
      perMiBMs: num('tuning.growCost.perMiBMs', cost['perMiBMs'] ?? 0, 0),
    },
    atomicPoolBytes: pageMultiple('tuning.atomicPoolBytes', value['atomicPoolBytes'] ?? atomicPoolBytes),
    transientFrom: from,
  }
}

function segments(field: string, value: unknown): number {
  const n = bytes(field, value, SEGMENT_BYTES)
  if (n % SEGMENT_BYTES !== 0) throw new SpecError(field, 'a multiple of 256K', value)
  return n
}

function pageMultiple(field: string, value: unknown): number {
  const n = bytes(field, value, 4096)
  if (n % 4096 !== 0) throw new SpecError(field, 'a multiple of 4K', value)
  return n
}

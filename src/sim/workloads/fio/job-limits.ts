import { type Effective, required } from './effective.js'
import type { FioJob, PerDirection } from './job.js'
import { type FioLog, FioValueError } from './problems.js'
import { parseBool, parseBytes, parseInteger, parseSize, parseTimeUs } from './units.js'
import { lowHigh, perDirection } from './value-lists.js'

type Limits = Pick<
  FioJob,
  'timeBased' | 'runtimeMs' | 'rampMs' | 'sizeBytes' | 'numberIos' | 'loops' | 'startDelayMs' | 'verify'
>

const ms = (us: number): number => us / 1000

/**
 * When a job ends (HOWTO "Time related parameters", "I/O size"): with time_based, at ramp_time +
 * runtime; otherwise after io_size, size or filesize × nrfiles bytes per clone (× loops), number_ios
 * I/Os, or runtime, whichever comes first.
 */
export function readLimits(o: Effective, log: FioLog): Limits {
  const timeBased = o.read('time_based', (v) => parseBool(v, true), false)
  const runtimeUs = o.read('runtime', (v) => parseTimeUs(required(v), true), 0)
  const rampUs = o.read('ramp_time', (v) => parseTimeUs(required(v), true), 0)
  const startDelay = o.read(
    'startdelay',
    (v) =>
      lowHigh(required(v), 'a time or a range like 1-5').map((t) => ms(parseTimeUs(t, true))) as [
        number,
        number,
      ],
    [0, 0] as [number, number],
  )
  const size = o.read('size', (v) => parseSize(required(v), o.kbBase('size'), true), undefined)
  const ioSize = o.read('io_size', (v) => parseSize(required(v), o.kbBase('io_size'), true), undefined)
  const fileSize = o.read(
    'filesize',
    (v) =>
      lowHigh(required(v), 'a size or a range like 1g-2g').map((t) =>
        atLeastOne(parseBytes(t, o.kbBase('filesize'))),
      ) as [number, number],
    undefined,
  )
  const nrfiles = o.integer('nrfiles', 1, 1 << 20, 1)
  const fill = o.read('fill_device', (v) => parseBool(v, false), false)
  const zoneBytes = o.read('zonesize', (v) => parseBytes(required(v), o.kbBase('zonesize')), undefined)
  let sizeBytes: number | null = null
  const amount = ioSize ?? size
  if (amount !== undefined) {
    if ('bytes' in amount) sizeBytes = amount.bytes
    else if ('zones' in amount && zoneBytes !== undefined) sizeBytes = amount.zones * zoneBytes
    else log.notice('size', unboundedSizeReason(amount))
  }
  if (sizeBytes === null && ioSize === undefined && size === undefined && fileSize !== undefined) {
    if (fileSize[0] !== fileSize[1]) log.notice('filesize', 'a filesize range is taken at its middle')
    sizeBytes = Math.round((fileSize[0] + fileSize[1]) / 2) * nrfiles
  }
  if (fill) sizeBytes = null
  if (sizeBytes === 0) sizeBytes = null
  const numberIos = o.integer('number_ios', 0, Number.MAX_SAFE_INTEGER, 0) || null
  const loops = Math.max(1, o.integer('loops', 0, 1 << 30, 1))
  let verifyMethod = o.read('verify', (v) => verifyMethodOf(required(v)), null)
  // options.c str_verify_pattern_cb: a verify_pattern where verify is not set (before or after it,
  // here or in [global]) sets verify=pattern.
  if (!o.has('verify') && o.has('verify_pattern')) {
    verifyMethod = 'pattern'
    log.notice(
      'verify_pattern',
      'verify_pattern without verify turns verify on, as fio does (verify=pattern): the written data is read back',
    )
  }
  // Read whether or not verify is set: fio parses (and rejects) every option it is given.
  const verifySettings = {
    readBack: o.read('do_verify', (v) => parseBool(v, false), true),
    backlog: o.integer('verify_backlog', 0, Number.MAX_SAFE_INTEGER, 0) || null,
    backlogBatch: o.integer('verify_backlog_batch', 0, 2 ** 32 - 1, 0) || null,
    only: o.read('verify_only', (v) => parseBool(v, true), false),
  }
  const verify = verifyMethod === null ? null : { method: verifyMethod, ...verifySettings }
  return {
    timeBased,
    runtimeMs: runtimeUs > 0 ? ms(runtimeUs) : null,
    rampMs: ms(rampUs),
    sizeBytes,
    numberIos,
    loops,
    startDelayMs: [Math.min(...startDelay), Math.max(...startDelay)],
    verify,
  }
}

const VERIFY_METHODS = new Set([
  'md5',
  'crc64',
  'crc32',
  'crc32c-intel',
  'crc32c',
  'crc16',
  'crc7',
  'sha1',
  'sha256',
  'sha512',
  'sha3-224',
  'sha3-256',
  'sha3-384',
  'sha3-512',
  'xxhash',
  'meta',
  'pattern',
  'pattern_hdr',
  'null',
])

function verifyMethodOf(v: string): string | null {
  if (v === '0' || v === 'none') return null
  if (!VERIFY_METHODS.has(v))
    throw new FioValueError(`a verify method fio knows (${[...VERIFY_METHODS].join(', ')})`)
  return v
}

type Pacing = Pick<FioJob, 'rate' | 'rateIops' | 'rateProcess' | 'rateIgnoreThinktime' | 'thinktime' | 'flow'>

/** rate, rate_iops (per direction, HOWTO "I/O rate"), thinktime and flow. */
export function readPacing(o: Effective, log: FioLog): Pacing {
  const none: PerDirection<number | null> = { read: null, write: null, trim: null }
  const perDir = (text: string, parse: (t: string) => number): PerDirection<number | null> => {
    const [r, w, t] = perDirection(text).map((x) => (x === undefined ? null : parse(x) || null))
    return { read: r ?? null, write: w ?? null, trim: t ?? null }
  }
  const rate = o.read('rate', (v) => perDir(required(v), (t) => parseBytes(t, o.kbBase('rate'))), none)
  const rateIops = o.read(
    'rate_iops',
    (v) => perDir(required(v), (t) => parseInteger(t, 0, 2 ** 32 - 1, o.kbBase('rate_iops'))),
    none,
  )
  for (const dir of ['read', 'write', 'trim'] as const) {
    if (rate[dir] !== null && rateIops[dir] !== null) {
      log.notice('rate_iops', 'rate and rate_iops both set for a direction: rate wins, as in fio')
    }
  }
  const thinkUs = o.read('thinktime', (v) => parseTimeUs(required(v), false), 0)
  const think = {
    us: thinkUs,
    blocks: o.integer('thinktime_blocks', 1, 2 ** 32 - 1, 1),
    onIssue: o.read('thinktime_blocks_type', (v) => blocksType(required(v)), false),
    iotimeUs: o.read('thinktime_iotime', (v) => parseTimeUs(required(v), true), 0),
  }
  const thinktime = thinkUs > 0 || o.has('thinktime_iotime') ? think : null
  // thinktime_spin is part of thinktime: spinning or sleeping, the clone issues nothing meanwhile.
  const spinUs = o.read('thinktime_spin', (v) => parseTimeUs(required(v), false), 0)
  if (thinktime !== null && spinUs > thinktime.us) {
    log.notice(
      'thinktime_spin',
      'thinktime_spin is longer than thinktime: fio spins for thinktime_spin, and so the pause does',
    )
    thinktime.us = spinUs
  }
  // options.c: maxval FLOW_MAX_WEIGHT (flow.h: 1000)
  const weight = o.integer('flow', 0, 1000, 0)
  const flow = {
    id: o.integer('flow_id', 0, 2 ** 32 - 1, 0),
    weight,
    sleepUs: o.integer('flow_sleep', 0, 2 ** 32 - 1, 0),
  }
  return {
    rate,
    rateIops,
    rateProcess: o.read('rate_process', (v) => rateProcess(required(v)), 'linear'),
    rateIgnoreThinktime: o.read('rate_ignore_thinktime', (v) => parseBool(v, false), false),
    thinktime,
    flow: weight > 0 ? flow : null,
  }
}

function blocksType(v: string): boolean {
  if (v === 'complete' || v === 'issue') return v === 'issue'
  throw new FioValueError('complete or issue')
}

function rateProcess(v: string): 'linear' | 'poisson' {
  if (v === 'linear' || v === 'poisson') return v
  throw new FioValueError('linear or poisson')
}

/** filesize: options.c minval 1 (fio: "filesize: min value out of range: 0 (1 min)"). */
function atLeastOne(n: number): number {
  if (n < 1) throw new FioValueError('a size of at least 1 byte')
  return n
}

/** Why a size of zones (without zonesize) or a percentage of the device bounds nothing. */
export function unboundedSizeReason(amount: { zones: number } | { percent: number }): string {
  return 'zones' in amount
    ? `size=${amount.zones}z without zonesize: the zones of the device are unknown, so the job has no size bound`
    : `size=${amount.percent}% of the device: the simulated drive has no capacity, so the job has no size bound`
}

import { SpecError } from '../errors.js'
import type { RwMode } from '../spec.js'
import type { SizeDistribution } from './fio/block-sizes.js'
import { bufferedModel, bufferedNotice } from './fio/buffered.js'
import { engineOwners } from './fio/engine-options.js'
import { classifyEngine } from './fio/engines.js'
import { unboundedSizeReason } from './fio/job-limits.js'
import { classifyOption } from './fio/option-table.js'
import { FioValueError } from './fio/problems.js'
import { rwMode } from './fio/rw.js'
import { randomShares } from './fio/seq-rand.js'
import { parseBool, parseInteger, parseSize } from './fio/units.js'
import type { Raw } from './values.js'

/**
 * fio options a JSON job takes besides the ones it is built from (job.ts JOB_KEYS). Each is read as
 * the fio reader reads it (workloads/fio): modelled, reported in a notice, or refused where one JSON
 * job cannot say what fio would do. None is ignored silently.
 */
export const OTHER_FIO_KEYS = [
  'ioengine',
  'direct',
  'buffered',
  'time_based',
  'group_reporting',
  'size',
  'thread',
  'norandommap',
  'randrepeat',
  'invalidate',
  'description',
  'stonewall',
  'new_group',
  'iodepth_batch_submit',
  'iodepth_batch_complete',
  'hipri',
  'sqthread_poll',
] as const

/** Where a JSON job's notices go: `option` is the field, e.g. `jobs[0].thread`. */
export type NoticeSink = (option: string, message: string) => void

/** The parts of a JSON job these options change. */
export interface FioKeysJob {
  rw: RwMode
  bssplit: Array<{ bytes: number; weight: number }>
  iodepth: number
}

/** The engine a JSON job without `ioengine` is read with: asynchronous, `iodepth` in flight. */
const JSON_ENGINE = 'libaio'

/** fio's FIO_OPT_STR_SET options: bare (true), or a whole number, 0 for off. */
const FLAGS = ['time_based', 'group_reporting', 'thread', 'norandommap', 'stonewall', 'new_group']

/**
 * Reads the job's other fio options into `job` (its depth and device sizes) and `notice`; throws a
 * SpecError naming the field and the value for one that fio would reject or a JSON job cannot express.
 * `first`: the job is the spec's first (a stonewall there waits for nothing).
 */
export function readOtherFioKeys(
  field: string,
  raw: Raw,
  job: FioKeysJob,
  ctx: { first: boolean; notice: NoticeSink },
): FioKeysJob {
  const at = (key: string) => `${field}.${key}`
  const has = (key: string) => raw[key] !== undefined
  for (const key of FLAGS) if (has(key)) fioValue(at(key), raw[key], (t) => parseBool(t, true))
  for (const key of ['randrepeat', 'invalidate'])
    if (has(key)) fioValue(at(key), raw[key], (t) => parseBool(t, false))
  if (has('description') && typeof raw['description'] !== 'string')
    throw new SpecError(at('description'), 'a string', raw['description'])

  const engine = readEngine(field, raw, job, ctx.notice)
  let iodepth = engine.sync ? 1 : job.iodepth
  for (const key of ['hipri', 'sqthread_poll']) {
    if (!has(key)) continue
    fioValue(at(key), raw[key], (t) => parseBool(t, true))
    const owners = engineOwners(key) ?? []
    if (engine.name === undefined || !owners.includes(engine.name)) {
      throw new SpecError(
        at(key),
        `left out, or given with an ioengine that has it (${owners.join(', ')}): fio reads it against the job's engine alone and drops the job otherwise ("Bad option")`,
        raw[key],
      )
    }
  }

  if (has('iodepth_batch_submit'))
    fioValue(at('iodepth_batch_submit'), raw['iodepth_batch_submit'], (t) => parseInteger(t, 0, 65536))
  const batchComplete = has('iodepth_batch_complete')
    ? fioValue(at('iodepth_batch_complete'), raw['iodepth_batch_complete'], (t) => parseInteger(t, 0, 65536))
    : 0

  const timeBased =
    has('time_based') && fioValue(at('time_based'), raw['time_based'], (t) => parseBool(t, true))
  // fio's size (options.c str_size_cb, read as the reader reads it): 0 is the whole device, and a
  // percentage or zones bound nothing on the simulated drive: the job runs for its runtime.
  const size = has('size') ? fioValue(at('size'), raw['size'], (t) => parseSize(t, 1024, true)) : undefined
  if (size !== undefined && !('bytes' in size && size.bytes > 0) && !timeBased) {
    ctx.notice(
      at('size'),
      'bytes' in size
        ? 'size=0 is no size bound (fio: the whole file or device): the job runs for its runtime'
        : unboundedSizeReason(size),
    )
  } else if (size !== undefined) {
    if (!timeBased) {
      throw new SpecError(
        at('size'),
        'left out, or given with time_based: fio ends a job after size bytes per clone, and a JSON job runs for its runtime (with time_based fio does too; or give the job in a fio job file)',
        raw['size'],
      )
    }
    ctx.notice(
      at('size'),
      'no effect on bounce buffering: with time_based the job runs for its runtime, and size only bounds the offsets it covers',
    )
  }

  if (
    has('stonewall') &&
    fioValue(at('stonewall'), raw['stonewall'], (t) => parseBool(t, true)) &&
    !ctx.first
  ) {
    throw new SpecError(
      at('stonewall'),
      'left out or 0: the jobs of a JSON spec start together, and a stonewall job waits for every job before it to finish (give the jobs in a fio job file, or delay this one with startdelay)',
      raw['stonewall'],
    )
  }

  const direct = readDirect(field, raw, engine.passthrough)
  let bssplit = job.bssplit
  if (!direct) {
    const mode = rwMode(job.rw)
    if (mode.reads && mode.writes) {
      throw new SpecError(
        at(has('direct') ? 'direct' : 'buffered'),
        `${has('direct') ? 1 : 0} (direct I/O) in a job that reads and writes (rw ${job.rw}): the page cache sends its reads and writes to the device at different sizes and depths, which one JSON job cannot express (split it into a read job and a write job, or give it in a fio job file)`,
        raw[has('direct') ? 'direct' : 'buffered'],
      )
    }
    const sizes: SizeDistribution = job.bssplit.map((e) => [e.bytes, e.weight])
    const shares = randomShares(mode.random, { read: null, write: null, trim: null })
    const model = bufferedModel(
      { read: sizes, write: sizes, trim: sizes },
      engine.name ?? JSON_ENGINE,
      iodepth,
      false,
      shares,
    )
    bssplit = model.bs[mode.reads ? 'read' : 'write'].map(([b, weight]) => ({ bytes: b, weight }))
    iodepth = mode.reads ? model.readDepth : model.writeDepth
    ctx.notice(at(has('direct') ? 'direct' : 'buffered'), bufferedNotice(model, mode, shares))
  }

  // fio's iodepth_batch_complete_min: a full queue waits for min(depth, n) completions, at the depth
  // the job runs at (the page cache's, for direct=0), as the reader's to-spec.ts holds it.
  if (Math.min(iodepth, batchComplete) > 1) {
    throw new SpecError(
      at('iodepth_batch_complete'),
      `at most 1 at iodepth ${iodepth}: a full queue that waits for ${Math.min(iodepth, batchComplete)} completions before it refills is modelled for fio job files only (give the job as one)`,
      raw['iodepth_batch_complete'],
    )
  }

  // Options the fio reader also reports as having no effect, with its reason.
  for (const key of [
    'thread',
    'norandommap',
    'randrepeat',
    'invalidate',
    'iodepth_batch_submit',
    'hipri',
    'sqthread_poll',
  ]) {
    const c = classifyOption(key)
    if (has(key) && c?.kind === 'no-effect') ctx.notice(at(key), `no effect on bounce buffering: ${c.reason}`)
  }
  for (const key of ['group_reporting', 'new_group']) {
    if (has(key))
      ctx.notice(
        at(key),
        'no effect: reporting groups shape --output-format fio-json, which reports fio job files only',
      )
  }
  if (has('description'))
    ctx.notice(
      at('description'),
      "no effect: explain shows a fio job file's job descriptions, not a JSON job's",
    )
  return { rw: job.rw, bssplit, iodepth }
}

interface JsonEngine {
  /** The engine given, if any. */
  name: string | undefined
  sync: boolean
  passthrough: boolean
}

/** `ioengine`, classified as the fio reader classifies it (engines.ts). */
function readEngine(field: string, raw: Raw, job: FioKeysJob, notice: NoticeSink): JsonEngine {
  const value = raw['ioengine']
  if (value === undefined) return { name: undefined, sync: false, passthrough: false }
  if (typeof value !== 'string' || value.trim() === '')
    throw new SpecError(`${field}.ioengine`, 'the name of a fio I/O engine', value)
  const name = value.trim()
  const c = classifyEngine(name, {})
  if (c.kind === 'refused')
    throw new SpecError(`${field}.ioengine`, `an engine the simulation runs (${c.reason})`, value)
  if (c.kind === 'no-io' || c.kind === 'bypass') {
    throw new SpecError(
      `${field}.ioengine`,
      `an engine with block I/O through the kernel (${c.reason}, and a JSON job always maps its I/O: leave the job out, or give it in a fio job file, where it keeps its place in the run and maps nothing)`,
      value,
    )
  }
  const sync = c.kind === 'sync'
  if (sync && job.iodepth > 1)
    notice(
      `${field}.iodepth`,
      `ioengine=${name} is synchronous: fio caps the queue depth at 1, and so does the simulation`,
    )
  return { name, sync, passthrough: c.passthrough === true }
}

/** `direct` and `buffered` (each the other's opposite, fio BOOL options): true for direct I/O, the default. */
function readDirect(field: string, raw: Raw, passthrough: boolean): boolean {
  const direct =
    raw['direct'] === undefined
      ? undefined
      : fioValue(`${field}.direct`, raw['direct'], (t) => parseBool(t, false))
  const buffered =
    raw['buffered'] === undefined
      ? undefined
      : fioValue(`${field}.buffered`, raw['buffered'], (t) => parseBool(t, false))
  if (direct !== undefined && buffered !== undefined && direct === buffered) {
    throw new SpecError(
      `${field}.buffered`,
      `${direct ? 0 : 1}, the opposite of direct (${direct ? 1 : 0}): fio takes whichever comes last, and a JSON object's keys have no order`,
      raw['buffered'],
    )
  }
  // Passthrough engines transfer directly whatever direct says, as in the fio reader.
  return passthrough || (direct ?? (buffered === undefined ? true : !buffered))
}

/** A JSON value read as fio reads the text of an option (true is 1, false 0); fio's refusals become SpecErrors. */
function fioValue<T>(field: string, value: unknown, parse: (text: string) => T): T {
  let text: string
  if (value === true) text = '1'
  else if (value === false) text = '0'
  else if (typeof value === 'number' || typeof value === 'string') text = String(value)
  else throw new SpecError(field, 'a fio value: a boolean, a number or a string', value)
  try {
    return parse(text)
  } catch (error) {
    if (!(error instanceof FioValueError)) throw error
    throw new SpecError(
      field,
      error.why === undefined ? error.expected : `${error.expected} (${error.why})`,
      value,
    )
  }
}

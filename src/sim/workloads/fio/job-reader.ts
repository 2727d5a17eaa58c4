import { blockSizes } from './block-sizes.js'
import { bufferedModel, bufferedNotice } from './buffered.js'
import { readCpus } from './cpus.js'
import { Effective, required } from './effective.js'
import { classifyEngine } from './engines.js'
import type { FioJob } from './job.js'
import { readLimits, readPacing } from './job-limits.js'
import type { FioEntry, FioSection } from './lexer.js'
import { readOutput } from './output-options.js'
import type { FioLog } from './problems.js'
import { FioValueError } from './problems.js'
import { parseRw, rwMode } from './rw.js'
import { randomShares, seqRandSizes } from './seq-rand.js'
import { type KbBase, parseBool, perDirectionIntegers } from './units.js'

export interface JobContext {
  /** CPUs of the simulated machine (cpus_allowed is checked against them). */
  cpus: number
  log: FioLog
}

const IEC_SUFFIX = /\d\s*[kmgtp]ib\b/i

/**
 * One job from its section and the [global] entries above it. Values fio would reject, and options
 * the simulation refuses, are logged as problems (the job is still built, so later problems are found
 * too); options with no effect and modelling assumptions become notices.
 */
export function readJob(section: FioSection, globals: readonly FioEntry[], ctx: JobContext): FioJob {
  const o = new Effective([...globals, ...section.entries], ctx.log)
  const log = ctx.log
  o.read<KbBase>('kb_base', (v) => kbBaseOf(required(v)), 1024)
  for (const key of ['bs', 'bsrange', 'bssplit', 'size', 'io_size', 'rate', 'filesize']) {
    if (o.kbBase(key) === 1024 && IEC_SUFFIX.test(o.text(key) ?? '')) {
      log.notice(
        'kb_base',
        `with kb_base=1024 (fio's default) fio reads KiB, MiB, GiB as powers of 1000 (4KiB is 4000 bytes), and so does the simulation; set kb_base=1000 before them to make them powers of 1024`,
      )
    }
  }
  const ownName = section.entries.filter((e) => e.key === 'name').pop()?.value
  const name = ownName ?? section.name
  const { mode } = o.read('rw', (v) => parseRw(required(v)), {
    mode: rwMode('read'),
    offsetSuffix: undefined,
  })
  // Both are read (fio parses each); the later one sets the mix.
  const mixRead = o.integer('rwmixread', 0, 100, 50)
  const mixWrite = o.integer('rwmixwrite', 0, 100, 50)
  let rwmixread = o.order('rwmixwrite') > o.order('rwmixread') ? 100 - mixWrite : mixRead
  if (!(mode.reads && mode.writes)) rwmixread = mode.reads ? 100 : 0

  const notes: string[] = []
  // Every setting of bs, bsrange and bssplit must parse on its own, used or not (fio parses each).
  let sizesParse = true
  for (const key of ['bs', 'bsrange', 'bssplit'] as const) {
    const kb = o.kbBase(key)
    for (const e of [...o.earlier(key), o.entry(key)]) {
      if (e === undefined) continue
      const alone = { [key]: e.value ?? '', rangeLast: true, unaligned: false }
      const check = () =>
        blockSizes({ ...alone, kbBase: { bs: kb, bsrange: kb, bssplit: kb } }, []) !== undefined
      sizesParse = o.attempt(e, check, false) && sizesParse
    }
  }
  const anySizeEntry = o.entry('bssplit') ?? o.entry('bs') ?? o.entry('bsrange') ?? section.entries[0]
  const bsFallback = { read: [[4096, 100]], write: [[4096, 100]], trim: [[4096, 100]] } as FioJob['bs']
  let bs =
    anySizeEntry === undefined || !sizesParse
      ? bsFallback
      : o.attempt(
          anySizeEntry,
          () =>
            blockSizes(
              {
                bs: o.text('bs'),
                bsrange: o.text('bsrange'),
                rangeLast: o.order('bsrange') > o.order('bs'),
                bssplit: o.text('bssplit'),
                unaligned: o.read('bs_unaligned', (v) => parseBool(v, true), false),
                kbBase: { bs: o.kbBase('bs'), bsrange: o.kbBase('bsrange'), bssplit: o.kbBase('bssplit') },
              },
              notes,
            ),
          bsFallback,
        )
  for (const note of notes) log.notice('bssplit', note)
  const percentRandom = o.read(
    'percentage_random',
    (v) => perDirectionIntegers(required(v), 100, o.kbBase('percentage_random')),
    { read: null, write: null, trim: null },
  )
  const randomShare = randomShares(mode.random, percentRandom)
  if (o.read('bs_is_seq_rand', (v) => parseBool(v, false), false)) bs = seqRandSizes(bs, randomShare)
  const bsText = o.text('bs') ?? ''
  if (/^[^(]*?\d[a-z]*\s*[:-]\s*\d/i.test(bsText)) {
    log.notice(
      'bs',
      `fio reads bs=${bsText} as one size per direction (reads, then writes and trims), as with ",": not a range (bsrange=lo-hi is one)`,
    )
  }

  const engine = o.read('ioengine', (v) => required(v).trim(), 'psync')
  const filename = o.text('filename') ?? ''
  let engineClass = classifyEngine(engine, {
    ...(o.has('libblkio_driver') ? { driver: o.text('libblkio_driver')! } : {}),
    ...(o.has('xnvme_be') ? { backend: o.text('xnvme_be')! } : {}),
  })
  if (engineClass.kind === 'refused') o.problem('ioengine', `is not simulated: ${engineClass.reason}`)
  if (/^\/dev\/(null|zero)$/.test(filename) && engineClass.kind !== 'refused') {
    engineClass = { kind: 'no-io', reason: `filename=${filename} is not a block device` }
  }
  if (engineClass.kind === 'no-io' || engineClass.kind === 'bypass') {
    log.notice(
      engineClass.kind === 'bypass' ? 'ioengine' : engine === 'psync' ? 'filename' : 'ioengine',
      `${engineClass.reason}: the job keeps its place in the run (phases, runtime) and maps nothing`,
    )
  }
  o.read('cmd_type', (v) => oneOf(required(v), ['nvme', 'bsg']), 'nvme')
  const mem = o.read('mem', (v) => oneOf(required(v).split(':')[0]!.trim(), MEMORY_KINDS), 'malloc')
  if (/^cuda/.test(mem)) o.problem('mem', `is not simulated: mem=${mem} puts the buffers in GPU memory`)

  const iodepthGiven = o.integer('iodepth', 1, 65536, 1)
  const offload = o.read('io_submit_mode', (v) => submitMode(required(v)), 'inline') === 'offload'
  const directGiven = o.read('direct', (v) => parseBool(v, false), false)
  const bufferedGiven = o.read('buffered', (v) => parseBool(v, false), true)
  let direct = o.order('buffered') > o.order('direct') ? !bufferedGiven : directGiven
  const sgAsync = engine === 'sg' && /^\/dev\/sg/.test(filename) && !direct
  if (engineClass.passthrough === true) direct = true
  const syncEngine = engineClass.kind === 'sync' && !offload && !sgAsync
  let iodepth = syncEngine ? 1 : iodepthGiven
  if (syncEngine && iodepthGiven > 1) {
    log.notice(
      'iodepth',
      `ioengine=${engine} is synchronous: fio caps the queue depth at 1, and so does the simulation`,
    )
  }
  const syncWrites = o.read('sync', (v) => syncMode(required(v)), false)
  const issuesIo = engineClass.kind === 'async' || engineClass.kind === 'sync'
  let buffered: FioJob['buffered']
  if (!direct && issuesIo) {
    buffered = bufferedModel(bs, engine, iodepth, syncWrites, randomShare)
    iodepth = Math.max(mode.reads ? buffered.readDepth : 0, mode.writes ? buffered.writeDepth : 0, 1)
    log.notice('direct', bufferedNotice(buffered, mode, randomShare))
  }

  // options.c:4324 and HOWTO "thinkcycles": fio spins this many CPU cycles after each completion,
  // a delay that depends on the CPU; the simulated CPUs have no clock rate to turn it into time.
  if (o.integer('thinkcycles', 0, 2 ** 32 - 1, 0) > 0) {
    o.problem(
      'thinkcycles',
      'is not simulated: fio spins that many CPU cycles after each completion before the next I/O, a delay that depends on the CPU, and the simulated CPUs have no clock rate; write the delay as thinktime (µs)',
    )
  }
  const exitWhatGiven = o.read('exit_what', (v) => exitWhat(required(v)), 'group' as const)
  // Checked here; phases.ts reads them for the order of the jobs.
  o.read('stonewall', (v) => parseBool(v, true), false)
  o.read('new_group', (v) => parseBool(v, true), false)
  const limits = readLimits(o, log)
  const pacing = readPacing(o, log)
  const output = readOutput(o)
  const cpus = readCpus(o, ctx.cpus, log)
  const options: Record<string, string> = {}
  for (const e of section.entries) options[e.key] = e.value ?? ''
  const verify = limits.verify !== null && mode.writes ? limits.verify : null
  if (limits.verify !== null && !mode.writes) {
    log.notice(
      'verify',
      'verify reads back what a job wrote; a job that does not write has nothing to verify',
    )
  }
  if (verify?.readBack === true && limits.timeBased && verify.backlog === null) {
    log.notice(
      'verify',
      'with time_based the runtime ends the job before fio reaches its read-back phase: no read-back is simulated (verify_backlog reads back during the run)',
    )
  }
  return {
    name,
    source: section.source,
    description: o.text('description'),
    phase: 0,
    after: [],
    group: 0,
    mode,
    rwmixread,
    bs,
    numjobs: o.integer('numjobs', 1, 4096, 1),
    engine,
    engineKind: engineClass.kind,
    iodepthGiven,
    iodepth,
    iodepthLow: Math.min(iodepth, o.integer('iodepth_low', 0, 65536, 0) || iodepth),
    completeMin: o.integer('iodepth_batch_complete_min', 0, 65536, 1),
    direct,
    buffered,
    ...limits,
    verify,
    ...pacing,
    exitall: o.read('exitall', (v) => parseBool(v, true), false) ? exitWhatGiven : null,
    cpus: cpus.list,
    cpusSplit: cpus.split,
    continueOnError: o.read('continue_on_error', (v) => continueOnError(required(v)), 'none'),
    trimDmaBytes: 16 * o.integer('num_range', 1, 256, 1),
    output,
    options,
  }
}

const MEMORY_KINDS = [
  'malloc',
  'shm',
  'shmhuge',
  'mmap',
  'mmaphuge',
  'mmapshared',
  'cudamalloc',
  'cudamanaged',
]

function oneOf<T extends string>(v: string, values: readonly T[]): T {
  if ((values as readonly string[]).includes(v)) return v as T
  throw new FioValueError(`one of ${values.join(', ')}`)
}

/** kb_base is a string option (FIO_OPT_STR) whose values are the words 1024 and 1000. */
function kbBaseOf(v: string): KbBase {
  const n = v.trim()
  if (n !== '1000' && n !== '1024') throw new FioValueError('1000 or 1024')
  return Number(n) as KbBase
}

function submitMode(v: string): 'inline' | 'offload' {
  if (v === 'inline' || v === 'offload') return v
  throw new FioValueError('inline or offload')
}

function syncMode(v: string): boolean {
  if (v === '0' || v === 'none') return false
  if (v === '1' || v === 'sync' || v === 'dsync') return true
  throw new FioValueError('none, sync, dsync, 0 or 1')
}

function exitWhat(v: string): 'group' | 'stonewall' | 'all' {
  if (v === 'group' || v === 'stonewall' || v === 'all') return v
  throw new FioValueError('group, stonewall or all')
}

const CONTINUE: Record<string, FioJob['continueOnError']> = {
  none: 'none',
  '0': 'none',
  verify: 'none',
  read: 'read',
  write: 'write',
  io: 'io',
  all: 'io',
  '1': 'io',
}

function continueOnError(v: string): FioJob['continueOnError'] {
  const mode = Object.hasOwn(CONTINUE, v) ? CONTINUE[v] : undefined
  if (mode === undefined) throw new FioValueError('none, read, write, io, verify, all, 0 or 1')
  return mode
}

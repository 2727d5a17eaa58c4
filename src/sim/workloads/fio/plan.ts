import { readArgs } from './command-line.js'
import { type EngineInEffect, engineOptionProblem } from './engine-options.js'
import { DEFAULT_ENGINE, isFioEngine } from './engines.js'
import type { FioJob, FioPlan } from './job.js'
import { readJob } from './job-reader.js'
import { type FioEntry, type FioInput, type FioSection, readSections } from './lexer.js'
import { checkNoEffectValue, type ValueContext, type ValueType } from './no-effect-values.js'
import { classifyOption, noEffectType } from './option-table.js'
import { assignPhases, type JobFlags } from './phases.js'
import { FioLog, FioValueError } from './problems.js'
import { type KbBase, parseBool } from './units.js'

export interface FioReadOptions extends Partial<FioInput> {
  /** CPUs of the simulated machine: $ncpus, and the limit of cpus_allowed. Default 16. */
  cpus?: number
  /** Replaces every job's runtime (the CLI's --runtime), ms. */
  runtimeMs?: number
  /** Every notice becomes an error (the CLI's --strict). */
  strict?: boolean
}

/** A job file's text, named as the user named it. */
export interface FioFile {
  name: string
  text: string
}

/** The default run of a job that fio would run without end (no size, no runtime): 1 s. */
export const UNBOUNDED_RUNTIME_MS = 1000

/**
 * Reads fio job files and fio command-line arguments (`--name=a --rw=randread …`, as fio takes them)
 * into the plan the simulation runs: phases of jobs with their effective settings, and notices. Job
 * options on the command line before the first --name are global defaults for the command line's jobs
 * and the first job file's, which run together. Each job file after the first starts from fio's
 * defaults (init.c:3239, parse_options calls fill_def_thread before every file but the first: neither
 * the command line's globals nor an earlier file's [global] reach it) and with a stonewall
 * (init.c:3246 passes the file's index as parse_jobs_ini's stonewall_flag; init.c:2202-2206). Throws a
 * FioJobError listing every problem.
 */
export function readFio(
  input: { files?: readonly FioFile[]; args?: readonly string[] },
  options: FioReadOptions = {},
): FioPlan {
  const log = new FioLog()
  const cpus = options.cpus ?? 16
  const fioInput: FioInput = {
    env: options.env ?? {},
    keywords: { pagesize: 4096, ncpus: cpus, mb_memory: undefined, ...options.keywords },
    ...(options.readInclude === undefined ? {} : { readInclude: options.readInclude }),
  }
  const command = readArgs(input.args ?? [], fioInput, log)
  // Sections by where their defaults start: the command line with the first file, then each file.
  const groups: FioSection[][] = [[...command.sections]]
  ;(input.files ?? []).forEach((file, i) => {
    const own = readSections(file.text, file.name, fioInput, log)
    const first = own.find((s) => !s.global)
    if (first !== undefined && i > 0) {
      first.entries.unshift({ key: 'stonewall', value: undefined, source: first.source })
    }
    if (i === 0) groups[0]!.push(...own)
    else groups.push(own)
  })
  const jobs: FioJob[] = []
  const flags: JobFlags[] = []
  const allGlobals: FioEntry[] = []
  for (const group of groups) {
    let globals: FioEntry[] = []
    for (const section of group) {
      if (!section.global && command.only.length > 0 && !command.only.includes(section.name)) continue
      classifyEntries(section, globals, cpus, log)
      if (section.global) {
        globals = [...globals, ...section.entries]
        allGlobals.push(...section.entries)
        continue
      }
      jobs.push(readJob(section, globals, { cpus, log }))
      flags.push(jobFlags([...globals, ...section.entries]))
    }
  }
  const where = { file: input.files?.[0]?.name ?? 'command line', line: 0 }
  if (jobs.length === 0 && log.problems.length === 0) {
    log.problem(where, where.file, 'defines no job (fio: "No job(s) defined")')
  }
  const phases = assignPhases(jobs, flags, log)
  applyBounds(jobs, options.runtimeMs, log)
  if (options.strict === true) {
    for (const n of log.notices)
      log.problem(n.source ?? where, n.option, `has a notice, and --strict makes it an error: ${n.message}`)
  }
  log.check()
  const globalOptions: Record<string, string> = {}
  for (const e of allGlobals) globalOptions[e.key] = e.value ?? ''
  return { phases, notices: log.notices.map(({ option, message }) => ({ option, message })), globalOptions }
}

/** stonewall, new_group and wait_for of a job: the last setting of each wins. */
function jobFlags(entries: readonly FioEntry[]): JobFlags {
  const last = (...keys: string[]): FioEntry | undefined => entries.filter((e) => keys.includes(e.key)).pop()
  const on = (e: FioEntry | undefined): boolean => {
    if (e === undefined) return false
    try {
      return parseBool(e.value, true)
    } catch {
      return false
    }
  }
  const waitFor = last('wait_for')
  return {
    stonewall: on(last('stonewall', 'wait_for_previous')),
    newGroup: on(last('new_group')),
    waitFor: waitFor?.value === undefined ? undefined : { name: waitFor.value, source: waitFor.source },
  }
}

/**
 * Every option of a section is modelled, has no effect (a notice), is refused, is unknown to fio, or
 * belongs to an engine other than the one fio reads it against (engine-options.ts).
 */
function classifyEntries(section: FioSection, globals: readonly FioEntry[], cpus: number, log: FioLog): void {
  section.entries.forEach((e, i) => {
    const c = classifyOption(e.key)
    const engine = c === undefined ? undefined : engineAt(section, globals, i)
    const wrongEngine = engine === undefined ? undefined : engineOptionProblem(e.key, e.value, engine)
    if (c === undefined)
      log.problem(e.source, e.key, 'is not an option fio knows (fio rejects the job: "Bad option")')
    else if (wrongEngine !== undefined) log.problem(e.source, e.key, wrongEngine)
    else if (c.kind === 'refused') log.problem(e.source, e.key, `is not simulated: ${c.reason}`)
    else if (c.kind === 'no-effect') {
      const context = { kbBase: kbBaseBefore(globals, section, i), cpus }
      if (noEffectValueIsBad(e, noEffectType(e.key, engine?.engine)!, context, log)) return
      log.notice(e.key, `no effect on bounce buffering: ${c.reason}`, e.source)
    }
  })
}

/** A value fio would refuse for a no-effect option becomes a problem at its line (true when it did). */
function noEffectValueIsBad(e: FioEntry, type: ValueType, context: ValueContext, log: FioLog): boolean {
  try {
    checkNoEffectValue(type, e.value, context)
    return false
  } catch (error) {
    if (!(error instanceof FioValueError)) throw error
    log.badValue(e.source, e.key, e.value, error)
    return true
  }
}

/** kb_base as fio has it when it reads the section's `index`-th option: the last good one before. */
function kbBaseBefore(globals: readonly FioEntry[], section: FioSection, index: number): KbBase {
  const before = [...globals, ...section.entries.slice(0, index)]
  const kb = before.filter((e) => e.key === 'kb_base' && /^(1000|1024)$/.test(e.value?.trim() ?? '')).pop()
  return kb === undefined ? 1024 : (Number(kb.value!.trim()) as KbBase)
}

/**
 * The engine fio reads the section's `index`-th option against. A job file's section is parsed whole,
 * its own options first (options.c, fio_options_parse), so the engine is the last ioengine= of the
 * [global]s above and the whole section, wherever it stands; a [global] is parsed on its own, into the
 * defaults, so a job's ioengine= does not reach it. fio's command line is read in order (init.c,
 * parse_cmd_line loads the engine at each --ioengine=): the last one before the option. An engine fio
 * does not have built in (external:, or an unknown name, refused where ioengine is read) is not checked.
 */
function engineAt(
  section: FioSection,
  globals: readonly FioEntry[],
  index: number,
): EngineInEffect | undefined {
  const commandLine = section.entries[index]!.source.file === 'command line'
  const seen = [...globals, ...(commandLine ? section.entries.slice(0, index) : section.entries)]
  const last = seen.filter((e) => e.key === 'ioengine').pop()
  const engine = last?.value?.trim() ?? DEFAULT_ENGINE
  const at = commandLine ? 'command line' : section.global ? 'global' : 'job'
  return isFioEngine(engine) ? { engine, given: last !== undefined, at } : undefined
}

/** --runtime replaces every job's runtime; a job with no bound at all gets a notice. */
function applyBounds(jobs: FioJob[], runtimeMs: number | undefined, log: FioLog): void {
  for (const job of jobs) {
    if (runtimeMs !== undefined) job.runtimeMs = runtimeMs
    const bounded =
      job.runtimeMs !== null || (!job.timeBased && (job.sizeBytes !== null || job.numberIos !== null))
    if (!bounded && job.engineKind !== 'refused') {
      log.notice(
        'runtime',
        `[${job.name}] has no size bound and no runtime (fio would ${job.timeBased ? 'run until stopped' : 'cover the whole device'}): the simulation runs it for ${UNBOUNDED_RUNTIME_MS} ms; set --runtime`,
        job.source,
      )
    }
  }
}

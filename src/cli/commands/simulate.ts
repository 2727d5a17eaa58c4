import { renderReport } from '../../report/html.js'
import { buildReportModel } from '../../report/model.js'
import { type FioPlan, runSpec, toFioJson, toJson } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { formatComparison } from '../comparison.js'
import { CliUsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { checkReportPath } from '../report-path.js'
import { resolveTarget, specFor, tellNotices } from '../target.js'
import { TraceOut } from '../trace-out.js'
import { LongRun } from './long-run.js'

const FORMATS = ['table', 'json', 'fio-json'] as const

/** `dma-throttle simulate [scenario | spec file]`: run every policy, print the comparison. */
export async function simulate(args: ParsedArgs, io: CliIo): Promise<number> {
  refuseOtherFlags(args, 'simulate')
  if (args.positionals.length > 1) {
    throw new CliUsageError(`simulate takes one scenario or file, got ${args.positionals.length}`)
  }
  const format = args.outputFormat ?? (args.json ? 'json' : 'table')
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new CliUsageError(
      `--output-format expects one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
    )
  }
  const target = await resolveTarget(args.positionals[0], io, args)
  const fio = target.fio
  if (format === 'fio-json' && fio === undefined) {
    throw new CliUsageError(
      '--output-format fio-json reports fio jobs: give a fio job file or fio arguments after --',
    )
  }
  if (format === 'fio-json' && fio !== undefined) refuseUnifiedReporting(fio.plan)
  if (fio !== undefined) warnNoIo(fio.plan, io)
  const spec = specFor(target, args)
  if (args.report !== undefined) await checkReportPath(args.report, io)
  const traceOut = args.traceOut === undefined ? undefined : new TraceOut(args.traceOut, spec, args.seed ?? 1)
  tellNotices(target, args.positionals[0], io)
  const machine = format !== 'table'
  const bar = new ProgressBar(io, machine)
  const long = new LongRun(io, spec)
  const policies = spec.policies
  const result = await runSpec(spec, {
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    ...(traceOut === undefined ? {} : { observe: traceOut.observe }),
    onProgress: (f) => {
      const label = `${spec.name} · ${policies[Math.min(policies.length - 1, Math.floor(f * policies.length))]}`
      bar.label(label)
      bar.update(f)
      long.update(f, label)
    },
  })
  bar.done()
  if (traceOut !== undefined) io.stderr(`${traceOut.close()}\n`)
  if (args.report !== undefined) {
    const html = await renderReport(buildReportModel(result, spec, target.scenario))
    await io.writeFile(args.report, html)
  }
  if (machine) {
    io.stdout(`${format === 'fio-json' ? toFioJson(result, fio?.plan) : toJson(result)}\n`)
    if (args.report !== undefined) io.stderr(`report written to ${args.report}\n`)
  } else {
    const runtimeMs = result.runtimeMs >= 1 ? Math.round(result.runtimeMs) : result.runtimeMs
    io.stdout(`${formatComparison(result, { ...spec, runtimeMs }, target.scenario)}\n`)
    if (args.report !== undefined) io.stdout(`\nreport written to ${args.report}\n`)
  }
  return 0
}

/**
 * unified_rw_reporting=mixed (1) or both (2) makes fio print one "mixed" entry instead of, or after,
 * read/write/trim/sync (stat.c:1447-1452, 1713). fio-json does not write that form: refused rather than
 * printed split (none and 0 are the default form).
 */
function refuseUnifiedReporting(plan: FioPlan): void {
  const jobs = plan.phases.flatMap((p) => p.jobs)
  for (const j of jobs) {
    const value = j.options['unified_rw_reporting'] ?? plan.globalOptions['unified_rw_reporting']
    if (value !== undefined && !['none', '0'].includes(value.trim().toLowerCase())) {
      throw new CliUsageError(
        `--output-format fio-json writes fio's split form (read, write, trim) only: job ${JSON.stringify(j.name)} sets unified_rw_reporting=${value}, for which fio writes a "mixed" entry; leave it out or set it to none`,
      )
    }
  }
}

/**
 * An engine with no block I/O (ioengine=null, cpuio, …) maps nothing: the job takes its time and
 * reports 0 I/Os, where fio counts the I/Os it "did". Said on stderr so that a zero is not a surprise.
 */
function warnNoIo(plan: FioPlan, io: CliIo): void {
  for (const j of plan.phases.flatMap((p) => p.jobs)) {
    if (j.engineKind !== 'no-io') continue
    io.stderr(
      `job ${JSON.stringify(j.name)}: ioengine=${j.engine} does no block I/O, so nothing is mapped for DMA: the simulation reports 0 I/Os for it (fio counts the I/Os its engine completes)\n`,
    )
  }
}

import { renderReport } from '../../report/html.js'
import { buildReportModel } from '../../report/model.js'
import { runSpec, toFioJson, toJson } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { formatComparison } from '../comparison.js'
import { CliUsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { checkReportPath } from '../report-path.js'
import { resolveTarget, specFor } from '../target.js'
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
  const spec = specFor(target, args)
  if (args.report !== undefined) await checkReportPath(args.report, io)
  const traceOut = args.traceOut === undefined ? undefined : new TraceOut(args.traceOut, spec, args.seed ?? 1)
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
    io.stdout(`${format === 'fio-json' ? toFioJson(result, fio?.plan.globalOptions) : toJson(result)}\n`)
    if (args.report !== undefined) io.stderr(`report written to ${args.report}\n`)
  } else {
    const runtimeMs = result.runtimeMs >= 1 ? Math.round(result.runtimeMs) : result.runtimeMs
    io.stdout(`${formatComparison(result, { ...spec, runtimeMs }, target.scenario)}\n`)
    if (args.report !== undefined) io.stdout(`\nreport written to ${args.report}\n`)
  }
  return 0
}

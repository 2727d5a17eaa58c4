import { renderReport } from '../../report/html.js'
import { buildReportModel } from '../../report/model.js'
import { runSpec, toJson } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { formatComparison } from '../comparison.js'
import { CliUsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { checkReportPath } from '../report-path.js'
import { resolveTarget, specFor } from '../target.js'
import { TraceOut } from '../trace-out.js'

/** `dma-throttle simulate [scenario | spec file]`: run every policy, print the comparison. */
export async function simulate(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positionals.length > 1) {
    throw new CliUsageError(`simulate takes one scenario or file, got ${args.positionals.length}`)
  }
  const target = await resolveTarget(args.positionals[0], io)
  const spec = specFor(target, args)
  if (args.report !== undefined) await checkReportPath(args.report, io)
  const traceOut = args.traceOut === undefined ? undefined : new TraceOut(args.traceOut, spec, args.seed ?? 1)
  const bar = new ProgressBar(io, args.json)
  const policies = spec.policies
  const result = await runSpec(spec, {
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    ...(traceOut === undefined ? {} : { observe: traceOut.observe }),
    onProgress: (f) => {
      bar.label(`${spec.name} · ${policies[Math.min(policies.length - 1, Math.floor(f * policies.length))]}`)
      bar.update(f)
    },
  })
  bar.done()
  if (traceOut !== undefined) io.stderr(`${traceOut.close()}\n`)
  if (args.report !== undefined) {
    const html = await renderReport(buildReportModel(result, spec, target.scenario))
    await io.writeFile(args.report, html)
  }
  if (args.json) {
    io.stdout(`${toJson(result)}\n`)
    if (args.report !== undefined) io.stderr(`report written to ${args.report}\n`)
  } else {
    io.stdout(`${formatComparison(result, spec, target.scenario)}\n`)
    if (args.report !== undefined) io.stdout(`\nreport written to ${args.report}\n`)
  }
  return 0
}

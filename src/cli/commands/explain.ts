import {
  explainPlan,
  explainSpec,
  explanationText,
  formatExplainTitle,
  planDetails,
} from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { CliUsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { resolveTarget } from '../target.js'

/**
 * `dma-throttle explain <job file | scenario | spec.json> [--json] [-- fio arguments]`: what the
 * simulator understood — phases, jobs with their effective settings, and the notices — without
 * running anything.
 */
export async function explain(args: ParsedArgs, io: CliIo): Promise<number> {
  refuseOtherFlags(args, 'explain')
  if (args.positionals.length > 1) {
    throw new CliUsageError(`explain takes one job file, scenario or spec, got ${args.positionals.length}`)
  }
  const path = args.positionals[0]
  if (path === undefined && args.fioArgs.length === 0) {
    throw new CliUsageError('explain takes a job file, a scenario or a spec, or fio arguments after --')
  }
  let explanation: ReturnType<typeof explainSpec>
  let title: string
  let details: string[][] | undefined
  const { spec, fio } = await resolveTarget(path, io, args)
  if (fio !== undefined) {
    explanation = explainPlan(fio.plan)
    details = planDetails(fio.plan)
    title = formatExplainTitle(path ?? 'fio arguments', spec, explanation)
  } else {
    explanation = explainSpec(spec)
    title = formatExplainTitle(spec.name, spec, explanation)
  }
  io.stdout(
    args.json
      ? `${JSON.stringify(explanation, null, 2)}\n`
      : `${explanationText(title, explanation, details)}\n`,
  )
  return 0
}

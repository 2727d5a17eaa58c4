import { SCENARIOS } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { CliUsageError } from '../errors.js'
import type { CliIo } from '../io.js'

/** `dma-throttle scenarios`: every scenario, what it models and the claim it checks. */
export async function scenarios(args: ParsedArgs, io: CliIo): Promise<number> {
  refuseOtherFlags(args, 'scenarios')
  if (args.positionals.length > 0) throw new CliUsageError('scenarios takes no arguments')
  if (args.json) {
    const list = SCENARIOS.map(({ name, summary, claim, source }) => ({ name, summary, claim, source }))
    io.stdout(`${JSON.stringify(list, null, 2)}\n`)
    return 0
  }
  const width = Math.max(...SCENARIOS.map((s) => s.name.length))
  const lines = SCENARIOS.map((s, i) =>
    [
      `${s.name.padEnd(width)}  ${s.summary}${i === 0 ? ' (default)' : ''}`,
      `${' '.repeat(width)}  claim: ${s.claim}`,
      `${' '.repeat(width)}  from: ${s.source}`,
    ].join('\n'),
  )
  io.stdout(`${lines.join('\n\n')}\n`)
  return 0
}

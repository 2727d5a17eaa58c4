import { POLICY_SUMMARY, type PolicyName, sizePool, sizeToJson } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { CliUsageError } from '../errors.js'
import { mib, table } from '../format.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { applyOverrides, resolveTarget } from '../target.js'

/** `dma-throttle size <scenario>`: the smallest pool per policy with zero I/O errors. */
export async function size(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positionals.length !== 1) {
    throw new CliUsageError('size takes one scenario or file, e.g. `dma-throttle size coco-fio`')
  }
  const target = await resolveTarget(args.positionals[0], io)
  const spec = applyOverrides(target.spec, args.pool, args.policies)
  const bar = new ProgressBar(io, args.json)
  bar.label(`sizing ${spec.name}`)
  const result = await sizePool(spec, {
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    onProgress: (f) => bar.update(f),
  })
  bar.done()
  if (args.json) {
    io.stdout(`${sizeToJson(result)}\n`)
    return 0
  }
  const rows = (
    Object.entries(result.policies) as Array<
      [PolicyName, { minPoolBytes: number | null; peakPoolBytes: number | null }]
    >
  ).map(([policy, r]) => [
    policy,
    r.minPoolBytes === null ? 'none ≤ 4 GiB' : mib(r.minPoolBytes),
    r.peakPoolBytes === null ? '-' : mib(r.peakPoolBytes),
    POLICY_SUMMARY[policy],
  ])
  io.stdout(
    `${spec.name}: smallest initial pool with no I/O errors, no stuck I/O and no failed import (seed ${args.seed ?? 1})\n\n` +
      `${table(['policy', 'min pool', 'peak pool', 'policy'], rows, [0, 3])}\n`,
  )
  return 0
}

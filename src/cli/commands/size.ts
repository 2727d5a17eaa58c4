import { type PolicyName, type PolicySize, sizePool, sizeToJson } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { CliUsageError } from '../errors.js'
import { count, duration, mib, table } from '../format.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { applyOverrides, resolveTarget } from '../target.js'

/** `dma-throttle size <scenario>`: the smallest pool per policy with zero I/O errors. */
export async function size(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positionals.length !== 1) {
    throw new CliUsageError('size takes one scenario or file, e.g. `dma-throttle size coco-fio`')
  }
  const target = await resolveTarget(args.positionals[0], io, args)
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
  const rows = (Object.entries(result.policies) as Array<[PolicyName, PolicySize]>).map(([policy, r]) => [
    policy,
    r.minPoolBytes === null ? 'none ≤ 4 GiB' : mib(r.minPoolBytes),
    r.peakPoolBytes === null ? '-' : mib(r.peakPoolBytes),
    r.iops === null ? '-' : count(r.iops),
    r.mibps === null ? '-' : r.mibps.toFixed(1),
    r.mapWaitP99Us === null ? '-' : duration(r.mapWaitP99Us),
    r.clatP99Us === null ? '-' : duration(r.clatP99Us),
  ])
  io.stdout(
    `${spec.name}: smallest initial pool with no I/O error, no stuck I/O and no failed import (seed ${args.seed ?? 1})\n` +
      'The run at that size is healthy, not necessarily fast: its throughput and latencies say what the size costs.\n\n' +
      `${table(['policy', 'min pool', 'peak pool', 'IOPS', 'MiB/s', 'map wait p99', 'clat p99'], rows)}\n`,
  )
  return 0
}

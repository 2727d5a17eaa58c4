import { type PolicyName, type PolicyResult, replayAll } from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { count, duration, mib, table } from '../format.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { describeTrace, mayBlockNotice, poolWords, traceHead, traceTarget } from './trace-target.js'

/** `dma-throttle replay <trace>`: every policy against the recorded traffic (docs/simulation.md). */
export async function replay(args: ParsedArgs, io: CliIo): Promise<number> {
  refuseOtherFlags(args, 'replay')
  const t = await traceTarget(args, 'replay')
  const bar = new ProgressBar(io, args.json)
  bar.label(`replaying ${t.file}`)
  const { summary, policies } = await replayAll({ file: t.file, read: t.read }, t.pool, t.policies, {
    mayBlock: t.mayBlock,
    ...(args.maxWaitMs === undefined ? {} : { maxWaitMs: args.maxWaitMs }),
  })
  bar.done()
  const notice = mayBlockNotice(t.mayBlock, summary)
  if (notice !== undefined) io.stderr(notice)
  if (args.json) {
    const head = { ...traceHead(summary), poolBytes: t.pool.size, areas: t.pool.areas }
    io.stdout(`${JSON.stringify({ ...head, maxWaitMs: args.maxWaitMs ?? null, policies }, null, 2)}\n`)
    return 0
  }
  const rows = (Object.entries(policies) as Array<[PolicyName, PolicyResult]>).map(([policy, r]) => [
    policy,
    count(r.ios + r.ioErrors + r.stuckIos),
    count(r.ioErrors),
    count(r.stuckIos),
    mib(r.hiwater.exact),
    mib(r.poolBytes.peak),
    count(r.throttle.waits),
    duration(r.mapWaitUs.p99),
    duration(r.mapWaitUs.max),
    r.mibps.toFixed(1),
  ])
  const bound =
    args.maxWaitMs === undefined
      ? ''
      : `\na map that waited ${args.maxWaitMs} ms without its slots failed (--max-wait-ms): it is in I/O errors\n`
  io.stdout(
    `${describeTrace(summary, `replayed on ${poolWords(t.pool)}`)}\n\n` +
      `${table(['policy', 'maps', 'I/O errors', 'stuck', 'hiwater', 'peak pool', 'waits', 'wait p99', 'wait max', 'MiB/s'], rows)}\n` +
      bound,
  )
  return 0
}

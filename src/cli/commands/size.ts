import { formatBytes, SEGMENT_SLOTS, SLOT_SIZE } from '../../index.js'
import { renderSizingReport, sizeReportModel } from '../../report/sizing-report.js'
import {
  createRunner,
  type PolicyName,
  type PolicySize,
  type SizeResult,
  sizePool,
  sizeToJson,
} from '../../sim/index.js'
import type { ParsedArgs } from '../args.js'
import { refuseOtherFlags } from '../command-flags.js'
import { CliUsageError } from '../errors.js'
import { duration, mib, table } from '../format.js'
import type { CliIo } from '../io.js'
import { ProgressBar } from '../progress.js'
import { recordingRunner } from '../recording-runner.js'
import { checkReportPath } from '../report-path.js'
import { jobsFlag, minThroughputFlag, seedsFlag } from '../run-flags.js'
import { scanWords, verificationWords } from '../size-words.js'
import { resolveTarget, specFor, tellNotices } from '../target.js'

/** Seeds per candidate size when --seeds is not given. */
export const DEFAULT_SIZE_SEEDS = 20

/**
 * `dma-throttle size <scenario | file>`: per policy, the smallest pool that meets the criteria in every
 * seed, how sure that is, and what to put on the kernel command line.
 */
export async function size(args: ParsedArgs, io: CliIo): Promise<number> {
  refuseOtherFlags(args, 'size')
  if (args.positionals.length > 1 || (args.positionals.length === 0 && args.fioArgs.length === 0)) {
    throw new CliUsageError(
      "size takes one scenario or file, or fio's arguments after --, e.g. `dma-throttle size coco-fio`",
    )
  }
  const target = await resolveTarget(args.positionals[0], io, args)
  const spec = specFor(target, args)
  const seeds = seedsFlag(args, DEFAULT_SIZE_SEEDS)
  const pct = minThroughputFlag(args)
  const jobs = jobsFlag(args)
  if (args.report !== undefined) await checkReportPath(args.report, io)
  tellNotices(target, args.positionals[0], io)
  const bar = new ProgressBar(io, args.json, { lines: true })
  bar.label(`sizing ${spec.name}: ${seeds.count} seeds per size, ${jobs} at once`)
  const runner = recordingRunner(createRunner(jobs))
  let result: SizeResult
  try {
    result = await sizePool(spec, {
      seed: seeds.first,
      seeds: seeds.count,
      runner,
      ...(pct === undefined ? {} : { minThroughputPct: pct }),
      onProgress: (f) => bar.update(f),
    })
  } finally {
    await runner.close()
  }
  bar.done()
  io.stdout(args.json ? `${sizeToJson(result)}\n` : formatSize(result, spec.pool.areas))
  if (args.report !== undefined) {
    await io.writeFile(args.report, await renderSizingReport(sizeReportModel(result, spec, runner.runs)))
    ;(args.json ? io.stderr : io.stdout)(`${args.json ? '' : '\n'}report written to ${args.report}\n`)
  }
  return 0
}

/** The text `size` prints for a result (`areas`: the spec's). */
export function formatSize(result: SizeResult, areas: number): string {
  const seeds = result.seeds
  const pct = result.minThroughputPct
  const entries = Object.entries(result.policies) as Array<[PolicyName, PolicySize]>
  const step = areas * SEGMENT_SLOTS * SLOT_SIZE
  const last = seeds.first + seeds.count - 1
  const rows = entries.map(([policy, r]) => [
    policy,
    r.minPoolBytes === null ? 'none' : mib(r.minPoolBytes),
    r.areas === null ? '-' : String(r.areas),
    r.perSeedMinPoolBytes.p50 === null ? '-' : mib(r.perSeedMinPoolBytes.p50),
    r.perSeedMinPoolBytes.p95 === null ? '-' : mib(r.perSeedMinPoolBytes.p95),
    r.mibps === null ? '-' : r.mibps.toFixed(1),
    r.unconstrainedMibps.toFixed(1),
    r.throughputPct === null ? '-' : `${Math.round(r.throughputPct)} %`,
    r.mapWaitP99Us === null ? '-' : duration(r.mapWaitP99Us),
    r.clatP99Us === null ? '-' : duration(r.clatP99Us),
    String(r.sizesTried),
    String(r.runs),
  ])
  const width = Math.max(...entries.map(([p]) => p.length))
  const verdicts = entries.map(([policy, r]) => {
    const pad = ' '.repeat(width + 2)
    const head = `${policy.padEnd(width)}  `
    return r.confidence === null
      ? `${head}${r.recommendation}`
      : `${head}${r.confidence}\n${pad}${r.recommendation}`
  })
  const criteria =
    'no I/O error, no stuck I/O and no failed import in every seed' +
    (pct === null ? '' : `, and at least ${pct} % of the MiB/s of an unconstrained pool in every seed`)
  return (
    `${result.scenario}: ${seeds.count} seeds per pool size (seeds ${seeds.first}–${last}), sizes in whole segments per area (${mib(step)} steps with ${areas} areas)\n` +
    `criteria: ${criteria}\n` +
    `search: ${scanWords(result.limitBytes)}, then every size between the last that failed in all seeds and the first that passed in all, then ${verificationWords(result.verifyAbove, result.limitBytes, entries)}\n` +
    `unconstrained: the same seeds on a ${formatBytes(result.limitBytes)} pool\n\n` +
    `${table(['policy', 'answer', 'areas', 'per-seed p50', 'p95', 'MiB/s', 'unconstrained', 'share', 'map wait p99', 'clat p99', 'sizes', 'runs'], rows)}\n\n` +
    `${verdicts.join('\n')}\n`
  )
}

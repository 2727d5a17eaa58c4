import type { Shard } from './shard.js'
import { inShard } from './shard.js'
import type { SweepHeader, SweepRow } from './sweep.js'

/** Shard files that do not make exactly one whole sweep. The message names the file and the problem. */
export class MergeError extends Error {
  readonly code = 'ERR_SIM_MERGE'
  constructor(message: string) {
    super(message)
    this.name = 'MergeError'
  }
}

export interface MergedSweep {
  header: SweepHeader
  rows: SweepRow[]
  /** The JSON Lines of the whole sweep, byte for byte what one unsharded `sweep --json` prints. */
  text: string
}

/**
 * Combines the JSON Lines of the shards of one sweep into the whole sweep. Every shard of the same
 * grid must be there exactly once, and every run exactly once; rows keep their text, in run order.
 */
export function mergeShards(files: ReadonlyArray<{ name: string; text: string }>): MergedSweep {
  if (files.length === 0) throw new MergeError('merge needs at least one file')
  let canonical: string | undefined
  let count: number | undefined
  const seen = new Map<number, string>()
  const lines = new Map<number, string>()
  let header: SweepHeader | undefined
  for (const file of files) {
    // CRLF (a file that passed through Windows or some CI artifact stores) reads as LF: rows keep their text.
    const [first = '', ...rest] = file.text.split(/\r?\n/).filter((l) => l.trim() !== '')
    const h = parseLine(file.name, 1, first) as Partial<SweepHeader>
    if (h.kind !== 'dma-throttle sweep' || h.version !== 1) {
      throw new MergeError(`${file.name}: line 1 is not the header of a dma-throttle sweep (version 1)`)
    }
    const shard: Shard = h.shard ?? { index: 1, count: 1 }
    const text = headerText(h as SweepHeader)
    if (canonical === undefined) {
      canonical = text
      count = shard.count
      header = JSON.parse(text) as SweepHeader
    } else if (text !== canonical) {
      throw new MergeError(`${file.name}: its header describes another sweep than ${files[0]!.name}'s`)
    } else if (shard.count !== count) {
      throw new MergeError(`${file.name}: shard ${shard.index}/${shard.count} is not one of ${count} shards`)
    }
    const other = seen.get(shard.index)
    if (other !== undefined) {
      throw new MergeError(`${file.name}: shard ${shard.index}/${shard.count} was given before, in ${other}`)
    }
    seen.set(shard.index, file.name)
    rest.forEach((line, i) => {
      const row = parseLine(file.name, i + 2, line) as Partial<SweepRow>
      const run = row.run
      if (typeof run !== 'number' || !Number.isSafeInteger(run) || run < 0 || run >= header!.runs) {
        throw new MergeError(`${file.name}: line ${i + 2} has no run number in [0, ${header!.runs - 1}]`)
      }
      if (!inShard(run, shard)) {
        throw new MergeError(
          `${file.name}: run ${run} does not belong to shard ${shard.index}/${shard.count}`,
        )
      }
      if (lines.has(run)) throw new MergeError(`${file.name}: run ${run} appears twice`)
      lines.set(run, line)
    })
  }
  for (let i = 1; i <= count!; i++) {
    if (!seen.has(i)) throw new MergeError(`shard ${i}/${count} is missing`)
  }
  const missing = header!.runs - lines.size
  if (missing > 0) {
    const first = Array.from({ length: header!.runs }, (_, k) => k).find((k) => !lines.has(k))
    throw new MergeError(`${missing} runs are missing (the first is run ${first}): a shard was cut short`)
  }
  const ordered = [...lines.keys()].sort((a, b) => a - b).map((k) => lines.get(k)!)
  return {
    header: header!,
    rows: ordered.map((l) => JSON.parse(l) as SweepRow),
    text: [canonical!, ...ordered].map((l) => `${l}\n`).join(''),
  }
}

/** A header's text without its shard: the same for every shard of one sweep and for the whole run. */
export function headerText(h: SweepHeader): string {
  const { kind, version, specs, specHash, policies, poolBytes, seeds, runs } = h
  return JSON.stringify({ kind, version, specs, specHash, policies, poolBytes, seeds, runs })
}

function parseLine(file: string, line: number, text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>
    }
  } catch {
    // reported below
  }
  throw new MergeError(`${file}: line ${line} is not a JSON object`)
}

import { BLKPARSE_PREAMBLE, BlkparseLines, BlkparsePairer } from './blkparse.js'
import type { BlockHolds } from './block-holds.js'
import { BPFTRACE_PREAMBLE, CAPTURE_HEADER, parseCaptureLine, poolComment } from './capture-format.js'
import { parseFtraceLine } from './ftrace.js'
import { readLines } from './lines.js'
import type { TraceEvent, TraceFormat } from './record.js'
import { TraceFormatError, TraceOptionError } from './record.js'
import { ReorderBuffer } from './reorder.js'

/** How an ftrace trace's maps get their hold time: a constant, or the block I/Os of a blkparse trace. */
export type HoldSource = { holdNs: number } | { blockHolds: BlockHolds }

export interface ReadTraceOptions {
  /** Required for ftrace traces, which record maps only. */
  hold?: HoldSource
  /** How far out of time order lines may come (bpftrace's per-CPU buffers), ms. Default 100. */
  reorderMs?: number
}

/** What reading a trace learnt besides its events: filled in as the events stream. */
export interface TraceInfo {
  file: string
  format: TraceFormat | undefined
  lines: number
  events: number
  /** Lines of other actions or events, and I/Os that move no data. */
  passedOver: number
  /** The pool a capture's `# pool` comment names (one written by `simulate --trace-out`). */
  pool: { size: number; areas: number } | undefined
}

export const DEFAULT_REORDER_MS = 100

/** A line a tool prints before the trace itself (bpftrace's `Attaching N probes...`, blkparse's `Input file ... added`). */
function isPreamble(text: string): boolean {
  const t = text.trim()
  return t === '' || BPFTRACE_PREAMBLE.test(t) || BLKPARSE_PREAMBLE.test(t)
}

/** Tells the format from a trace's first line that is not blank; undefined when it is none of ours. */
export function detectFormat(firstLine: string): TraceFormat | undefined {
  const t = firstLine.trim()
  if (t === CAPTURE_HEADER) return 'capture'
  if (t.startsWith('# tracer:') || /swiotlb_bounced:/.test(t)) return 'ftrace'
  if (/^\d+,\d+\s+\d+\s+\d+\s+\d+\.\d{9}\s/.test(t)) return 'blkparse'
  return undefined
}

/**
 * The events of a trace file in time order, streamed line by line (docs/trace-format.md). The format
 * is told from the first line; `info` is filled in along the way. A line that does not follow the
 * format throws TraceFormatError naming the file and line.
 */
export async function* readTrace(
  file: string,
  options: ReadTraceOptions = {},
  info: TraceInfo = newInfo(file),
): AsyncGenerator<TraceEvent> {
  const reorder = new ReorderBuffer((options.reorderMs ?? DEFAULT_REORDER_MS) * 1e6, file)
  const ready: TraceEvent[] = []
  const out = (e: TraceEvent): void => {
    ready.push(e)
  }
  let parse: ((text: string, line: number) => TraceEvent | undefined) | undefined
  for await (const text of readLines(file)) {
    const line = ++info.lines
    if (parse === undefined) {
      if (isPreamble(text)) continue
      info.format = detectFormat(text)
      parse = lineParser(info, file, options)
      if (info.format === 'capture') continue
    }
    const e = parse(text, line)
    if (e === undefined) continue
    info.events++
    reorder.push(e, out)
    if (ready.length > 0) {
      for (const r of ready) yield r
      ready.length = 0
    }
  }
  reorder.flush(out)
  yield* ready
}

export function newInfo(file: string): TraceInfo {
  return { file, format: undefined, lines: 0, events: 0, passedOver: 0, pool: undefined }
}

function lineParser(
  info: TraceInfo,
  file: string,
  options: ReadTraceOptions,
): (text: string, line: number) => TraceEvent | undefined {
  switch (info.format) {
    case 'capture':
      return (text, line) => {
        if (text.startsWith('#')) info.pool ??= poolComment(text)
        return parseCaptureLine(text, line, file)
      }
    case 'blkparse': {
      const pairer = new BlkparsePairer()
      const lines = new BlkparseLines(file)
      return (text, line) => {
        const e = lines.read(text, line)
        if (e === undefined) return undefined
        const event = pairer.toEvent(e, line)
        info.passedOver = pairer.passedOver
        return event
      }
    }
    case 'ftrace':
      return ftraceParser(info, file, options.hold)
    default:
      return (text, line) => {
        throw new TraceFormatError(
          file,
          line,
          `a trace: the line "${CAPTURE_HEADER}", an ftrace buffer or blkparse output`,
          text,
        )
      }
  }
}

function ftraceParser(
  info: TraceInfo,
  file: string,
  hold: HoldSource | undefined,
): (text: string, line: number) => TraceEvent | undefined {
  let first: number | undefined
  let n = 0
  return (text, line) => {
    const b = parseFtraceLine(text, line, file)
    if (b === undefined) return undefined
    if (b === 'other') {
      info.passedOver++
      return undefined
    }
    if (hold === undefined) {
      throw new TraceOptionError(
        `${file}: ftrace's swiotlb_bounced events record maps only: give their hold time (--hold-ms N) or a block trace of the same run (--hold-from blkparse.txt)`,
      )
    }
    first ??= b.atNs
    const holdNs = 'holdNs' in hold ? hold.holdNs : (hold.blockHolds.holdAt(b.atNs - first) ?? 0)
    return {
      kind: 'map',
      atNs: b.atNs,
      key: `ftrace:${n++}`,
      device: b.device,
      cpu: b.cpu,
      dir: 'bidirectional',
      mayBlock: undefined,
      sizes: [b.size],
      holdNs,
      line,
    }
  }
}

/**
 * A trace's format and the pool its header names, from its first lines (up to the first event): what
 * the CLI needs before it replays. A file of none of the formats gives format undefined.
 */
export async function peekTrace(
  file: string,
): Promise<{ format: TraceFormat | undefined; pool: { size: number; areas: number } | undefined }> {
  let format: TraceFormat | undefined
  let pool: { size: number; areas: number } | undefined
  for await (const text of readLines(file)) {
    if (format === undefined) {
      if (isPreamble(text)) continue
      format = detectFormat(text)
      if (format !== 'capture') break
      continue
    }
    if (!text.startsWith('#')) break
    pool ??= poolComment(text)
  }
  return { format, pool }
}

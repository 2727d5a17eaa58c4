import { MAX_MAPPING_BYTES } from '../../../index.js'
import type { TraceEvent } from './record.js'
import { TraceFormatError, TraceLostEventsError } from './record.js'

/**
 * blkparse's default text output (blktrace's blkparse_fmt.c, process_default; man blkparse(1),
 * "OUTPUT DESCRIPTION AND FORMATTING"). Every event starts with the header
 * `%D %2c %8s %5T.%9t %5p %2a %3d`, printed as "%3d,%-3d %2d %8d %5d.%09lu %5u %2s %3s ":
 *
 *   8,0    3        1     0.000000000   697  D   W 223490 + 8 [kjournald]
 *   8,0    3        2     0.000152341     0  C   W 223490 + 8 [0]
 *
 * device (major,minor), CPU, sequence, seconds.nanoseconds, pid, action, RWBS; then for an issue (D)
 * `sector + blocks [command]`, for a complete (C) or requeue (R) `sector + blocks [error]`; with
 * `-t` an elapsed time in parentheses comes before the brackets. SCSI pass-through events (a byte count
 * and a hex payload instead of `sector + blocks`) and every other action are read and passed over.
 * After the events blkparse prints its per-CPU and total summary, which ends the trace.
 */
const HEADER =
  /^\s*(\d+),(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\.(\d{9})\s+(\d+)\s+([A-Za-z]{1,2})\s+([A-Z]{1,8})\s*(.*)$/
const EXTENT = /^(\d+) \+ (\d+)(?: \(\s*\d+\))? \[([^\]]*)\]$/
/** The first line of blkparse's closing summary: `CPU0 (8,0):` or `Total (8,0):`. */
const SUMMARY = /^(CPU\d+|Total) \(/

/** One event of blkparse's output, as its header and trailer say. */
export interface BlkEvent {
  device: string
  cpu: number
  atNs: number
  action: string
  rwbs: string
  /** Undefined for an event without `sector + blocks` (pass-through, plug, unplug, ...). */
  sector: number | undefined
  blocks: number
}

/** What blkparse prints to stdout as it opens each per-CPU file (blkparse.c, setup_file). */
export const BLKPARSE_PREAMBLE = /^Input file .+ added$/
/** The summary's count of events found missing (sequence gaps): `Skips: 12 forward (...)`. */
const SKIPS = /^\s*Skips:\s+([\d,]+) forward/

/**
 * Parses one line; undefined for a blank line or blkparse's `Input file ... added`; 'end' for the
 * summary's first line.
 */
export function parseBlkparseLine(text: string, line: number, file: string): BlkEvent | undefined | 'end' {
  if (text.trim() === '' || BLKPARSE_PREAMBLE.test(text)) return undefined
  if (SUMMARY.test(text)) return 'end'
  const h = HEADER.exec(text)
  if (h === null) {
    throw new TraceFormatError(
      file,
      line,
      'a blkparse line "maj,min cpu seq sec.nsec pid action rwbs ..."',
      text,
    )
  }
  const e = EXTENT.exec(h[10]!.trim())
  return {
    device: `${h[1]},${h[2]}`,
    cpu: Number(h[3]),
    atNs: Number(h[5]) * 1e9 + Number(h[6]),
    action: h[8]!,
    rwbs: h[9]!,
    sector: e === null ? undefined : Number(e[1]),
    blocks: e === null ? 0 : Number(e[2]),
  }
}

/**
 * A line of blkparse's closing summary: one that counts skips (events the kernel dropped, so I/Os
 * without their issue or completion) throws TraceLostEventsError.
 */
function checkSummaryLine(text: string, line: number, file: string): void {
  const m = SKIPS.exec(text)
  if (m !== null && Number(m[1]!.replace(/,/g, '')) > 0)
    throw new TraceLostEventsError(
      file,
      line,
      `blkparse counted ${m[1]} skipped events ("${text.trim()}")`,
      'record again with more or larger buffers (blktrace -n, -b)',
    )
}

/**
 * blkparse's output line by line: its events, then its closing summary, which ends them and is read on
 * only for its count of skipped events (checkSummaryLine).
 */
export class BlkparseLines {
  #summary = false

  constructor(readonly file: string) {}

  /** The event on `text`; undefined for a line with none (blank, preamble, the summary). */
  read(text: string, line: number): BlkEvent | undefined {
    if (this.#summary) {
      checkSummaryLine(text, line, this.file)
      return undefined
    }
    const e = parseBlkparseLine(text, line, this.file)
    if (e !== 'end') return e
    this.#summary = true
    return undefined
  }
}

/**
 * Turns blkparse events into maps and unmaps: an issue (D) maps the I/O's bytes (blocks × 512) as a
 * scatter-gather list of ≤ 256 KiB entries, as the simulator's devices do (src/sim/devices/sg-map.ts);
 * its completion (C), or a requeue (R: the driver unmaps before it requeues), unmaps it. D and C pair
 * by device and sector. I/Os that move no data (RWBS N, discards D) are passed over, with their
 * completions.
 */
export class BlkparsePairer {
  /** Keys of issued I/Os that were passed over, so that their completion is too. */
  readonly #skipped = new Set<string>()
  /** Events passed over: other actions and I/Os without data. */
  passedOver = 0

  toEvent(e: BlkEvent, line: number): TraceEvent | undefined {
    const act = e.action
    if ((act !== 'D' && act !== 'C' && act !== 'R') || e.sector === undefined) {
      this.passedOver++
      return undefined
    }
    const key = `${e.device}:${e.sector}`
    if (act !== 'D') {
      if (this.#skipped.delete(key)) return undefined
      return { kind: 'unmap', atNs: e.atNs, key, device: e.device, line }
    }
    const op = e.rwbs[0] === 'F' && e.rwbs.length > 1 ? e.rwbs[1] : e.rwbs[0]
    if ((op !== 'R' && op !== 'W') || e.blocks === 0) {
      this.#skipped.add(key)
      this.passedOver++
      return undefined
    }
    return {
      kind: 'map',
      atNs: e.atNs,
      key,
      device: e.device,
      cpu: e.cpu,
      dir: op === 'R' ? 'from-device' : 'to-device',
      mayBlock: undefined,
      sizes: sgEntries(e.blocks * 512),
      holdNs: undefined,
      line,
    }
  }
}

/** `bytes` as scatter-gather entries of at most one segment (256 KiB) each, the last one shorter. */
export function sgEntries(bytes: number): number[] {
  const out: number[] = []
  for (let left = bytes; left > 0; left -= MAX_MAPPING_BYTES) out.push(Math.min(left, MAX_MAPPING_BYTES))
  return out
}

import { TraceFormatError, TraceLostEventsError } from './record.js'

/**
 * A line of the ftrace buffer (/sys/kernel/tracing/trace, or trace_pipe) with the `swiotlb_bounced`
 * event (include/trace/events/swiotlb.h). The event's TP_printk is
 *
 *   "dev_name: %s dma_mask=%llx dev_addr=%llx size=%zu %s"
 *
 * the last field being the force flag: NORMAL, FORCE or NO_FORCE (enum swiotlb_force, 4.10 to 5.16;
 * xen-swiotlb raised it with NO_FORCE), NORMAL or FORCE (a bool, 5.17 on); a line without it is
 * accepted too. Before it, ftrace prints `task-pid [cpu] flags timestamp: event: ` (the flags column,
 * e.g. `d..1.`, only with the irq-info option, which is on by default). For example:
 *
 *   kworker/u16:2-123   [003] d..1.  4242.123456: swiotlb_bounced: dev_name: 0000:00:04.0 dma_mask=ffffffffffffffff dev_addr=7e3f2000 size=4096
 *
 * The event is raised in swiotlb_map (kernel/dma/swiotlb.c) before the slots are searched: it says
 * what was asked, not whether it was granted, and there is no unmap event.
 */
const PREFIX =
  /^\s*(.+)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+(?:[^\s[\]]+\s+)?(\d+)\.(\d+):\s+([\w:]+):\s(.*)$/
const BOUNCED =
  /^\s*dev_name: (\S+) dma_mask=([0-9a-f]+) dev_addr=([0-9a-f]+) size=(\d+)(?: (NORMAL|FORCE|NO_FORCE))?\s*$/

/** `CPU:3 [LOST 120 EVENTS]` or `CPU:3 [LOST EVENTS]`. */
const LOST = /^CPU:\d+ \[LOST( \d+)? EVENTS\]$/
/** print_event_info's header line; more written than in the buffer means the buffer wrapped. */
const ENTRIES = /^# entries-in-buffer\/entries-written: (\d+)\/(\d+)/
/** A CPU whose buffer wrapped starts later than the others (trace.c, print_trace_header's notice). */
const BUFFER_STARTED = /^#{5} CPU \d+ buffer started #{4}$/
const REMEDY = 'record again with a larger buffer (buffer_size_kb) or from trace_pipe while the workload runs'

/** The header's signs that the ring buffer wrapped and events were overwritten. */
function lostInHeader(text: string, line: number, file: string): void {
  const e = ENTRIES.exec(text)
  if (e !== null && Number(e[2]) > Number(e[1]))
    throw new TraceLostEventsError(
      file,
      line,
      `the buffer kept ${e[1]} of ${e[2]} events written ("${text}")`,
      REMEDY,
    )
  if (BUFFER_STARTED.test(text))
    throw new TraceLostEventsError(file, line, `a CPU's buffer wrapped ("${text}")`, REMEDY)
}

/** One `swiotlb_bounced` event. */
export interface Bounced {
  atNs: number
  cpu: number
  device: string
  size: number
}

/**
 * Parses one line: the event, undefined for a blank line, a comment (the `# tracer:` header) or another
 * event (counted by the caller as passed over: 'other'). A line that is no ftrace event line at all, or
 * a swiotlb_bounced line with other fields, throws TraceFormatError.
 */
export function parseFtraceLine(text: string, line: number, file: string): Bounced | 'other' | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  if (trimmed.startsWith('#')) {
    lostInHeader(trimmed, line, file)
    return undefined
  }
  // print_trace_line (kernel/trace/trace.c): a CPU's ring buffer dropped events.
  if (LOST.test(trimmed)) throw new TraceLostEventsError(file, line, `ftrace says "${trimmed}"`, REMEDY)
  const p = PREFIX.exec(text)
  if (p === null)
    throw new TraceFormatError(file, line, 'an ftrace line "task-pid [cpu] time: event: ..."', text)
  if (p[6] !== 'swiotlb_bounced') return 'other'
  const b = BOUNCED.exec(p[7]!)
  if (b === null) {
    throw new TraceFormatError(
      file,
      line,
      'swiotlb_bounced fields "dev_name: D dma_mask=M dev_addr=A size=N"',
      text,
    )
  }
  const size = Number(b[4])
  if (!(size > 0)) throw new TraceFormatError(file, line, 'a size > 0', text)
  return { atNs: Number(p[4]) * 1e9 + fractionNs(p[5]!), cpu: Number(p[3]), device: b[1]!, size }
}

/** ftrace prints µs (6 digits) by default, ns with some trace clocks: scale to ns. */
function fractionNs(digits: string): number {
  return Number(digits.length >= 9 ? digits.slice(0, 9) : digits.padEnd(9, '0'))
}

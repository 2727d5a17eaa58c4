import { TraceFormatError } from './record.js'

/**
 * A line of the ftrace buffer (/sys/kernel/tracing/trace, or trace_pipe) with the `swiotlb_bounced`
 * event (include/trace/events/swiotlb.h). The event's TP_printk is
 *
 *   "dev_name: %s dma_mask=%llx dev_addr=%llx size=%zu %s"
 *
 * the last field being the force flag, NORMAL or FORCE (an enum swiotlb_force in older kernels, a bool
 * in newer ones); a line without it is accepted too. Before it, ftrace prints `task-pid [cpu] flags timestamp: event: ` (the flags column,
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
  /^\s*dev_name: (\S+) dma_mask=([0-9a-f]+) dev_addr=([0-9a-f]+) size=(\d+)(?: (NORMAL|FORCE))?\s*$/

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
  if (trimmed === '' || trimmed.startsWith('#')) return undefined
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

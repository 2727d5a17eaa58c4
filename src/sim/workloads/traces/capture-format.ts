import { DIRECTIONS, type TraceEvent, TraceFormatError, TraceLostEventsError } from './record.js'

/**
 * Our capture format (docs/trace-format.md), written by tools/swiotlb-trace.bt and by
 * `simulate --trace-out`. One event a line, fields separated by single spaces:
 *
 *   <time ns> <cpu> map   <device> <size> <alloc size> <dir> <may block> <tlb addr>
 *   <time ns> <cpu> unmap <device> <size> <dir> <tlb addr>
 *   <time ns> <cpu> fail  <device> <size> <alloc size> <dir> <may block>
 *
 * dir is the kernel's enum dma_data_direction (0 bidirectional, 1 to device, 2 from device); may block
 * is 1 or 0 when the kernel has DMA_ATTR_MAY_BLOCK, -1 when it has not; cpu is -1 when unknown.
 */
export const CAPTURE_HEADER = '# dma-throttle-trace v1'

/** The comment that says which pool the trace ran on (written by `simulate --trace-out`). */
const POOL_META = /^# pool (\d+) bytes, (\d+) areas\b/

/** Fields of each kind of line. */
const FIELDS: Record<string, number> & { fail: number } = { map: 9, unmap: 7, fail: 8 }

const UINT = /^\d+$/
const HEX = /^0x[0-9a-f]+$/i

/** The pool a `# pool N bytes, M areas` comment names; undefined for any other line. */
export function poolComment(text: string): { size: number; areas: number } | undefined {
  const m = POOL_META.exec(text)
  return m === null ? undefined : { size: Number(m[1]), areas: Number(m[2]) }
}

/** What bpftrace prints to stdout before the program's own output, unless run with -q. */
export const BPFTRACE_PREAMBLE = /^Attaching \d+ probes?\.\.\.$/
/** bpftrace's notice that its perf ring buffer overflowed (TextOutput::lost_events). */
const LOST = /^Lost \d+ events$/

/** One line of a capture, after the header; undefined for a blank line or a comment. */
export function parseCaptureLine(text: string, line: number, file: string): TraceEvent | undefined {
  if (LOST.test(text.trim()))
    throw new TraceLostEventsError(
      file,
      line,
      `bpftrace says "${text.trim()}"`,
      'record again with a larger ring buffer (BPFTRACE_PERF_RB_PAGES)',
    )
  // One space between fields is the format; other blanks are read too, at the cost of a regex.
  let f = text.split(' ')
  if (f.includes('') || /[\t\r\n]/.test(text)) f = text.trim().split(/\s+/)
  const first = f[0]!
  if (first === '' || first.startsWith('#')) return undefined
  const kind = f[2]!
  const n = (Object.hasOwn(FIELDS, kind) ? FIELDS[kind] : undefined) ?? 0
  if (n === 0) badLine(file, line, text, 'a capture line: <time ns> <cpu> map|unmap|fail <device> ...')
  if (f.length !== n)
    badLine(
      file,
      line,
      text,
      `${n} fields for ${kind === 'unmap' ? 'an' : 'a'} ${kind} line (docs/trace-format.md)`,
    )
  if (!UINT.test(first)) badLine(file, line, text, 'a time in ns (a whole number) first')
  const atNs = Number(first)
  const cpu =
    f[1] === '-1'
      ? -1
      : UINT.test(f[1]!)
        ? Number(f[1])
        : badLine(file, line, text, 'a CPU number or -1 second')
  const device = f[3]!
  const size = count(f[4]!) ?? badLine(file, line, text, 'a size in bytes (a whole number > 0) fifth')
  if (kind === 'unmap') {
    direction(f[5]!) ?? badLine(file, line, text, 'a direction 0, 1 or 2 sixth')
    if (!HEX.test(f[6]!)) badLine(file, line, text, 'a tlb address like 0x1234 last')
    return { kind: 'unmap', atNs, key: f[6]!.toLowerCase(), device, line }
  }
  const alloc = count(f[5]!) ?? badLine(file, line, text, 'an alloc size in bytes sixth')
  if (alloc < size) badLine(file, line, text, `an alloc size of at least the size (${size})`)
  const dir = direction(f[6]!) ?? badLine(file, line, text, 'a direction 0, 1 or 2 seventh')
  const mb = f[7]
  const mayBlock =
    mb === '1'
      ? true
      : mb === '0'
        ? false
        : mb === '-1'
          ? undefined
          : badLine(file, line, text, 'may block 1, 0 or -1')
  if (n === FIELDS.fail) return { kind: 'fail', atNs, device, size: alloc, line }
  if (!HEX.test(f[8]!)) badLine(file, line, text, 'a tlb address like 0x1234 last')
  return {
    kind: 'map',
    atNs,
    key: f[8]!.toLowerCase(),
    device,
    cpu,
    dir: DIRECTIONS[dir]!,
    mayBlock,
    sizes: [alloc],
    holdNs: undefined,
    line,
  }
}

function badLine(file: string, line: number, text: string, what: string): never {
  throw new TraceFormatError(file, line, what, text)
}

function count(text: string): number | undefined {
  if (!UINT.test(text)) return undefined
  const n = Number(text)
  return n > 0 && Number.isSafeInteger(n) ? n : undefined
}

function direction(text: string): number | undefined {
  return text === '0' ? 0 : text === '1' ? 1 : text === '2' ? 2 : undefined
}

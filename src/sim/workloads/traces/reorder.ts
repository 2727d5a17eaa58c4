import type { TraceEvent } from './record.js'
import { TraceFormatError } from './record.js'

/** Released events at the head of the buffer are dropped in one splice once this many have gathered. */
const COMPACT_AT = 4096

/**
 * Puts a nearly sorted stream of events in time order, holding back only the events of the last
 * `windowNs` of trace time. bpftrace prints from one buffer per CPU, so lines from two CPUs may come
 * out of order by a little; an event earlier than one already let out is a TraceFormatError that
 * names its line. Ties keep the order of the file.
 *
 * The buffer is an array kept sorted: an event in order (the usual case) is appended, one out of
 * order is inserted after the last event not later than it (binary search), and events leave from the
 * head. A heap would pay log n on every event for the rare one that needs it.
 */
export class ReorderBuffer {
  readonly #buffer: TraceEvent[] = []
  #head = 0
  #released = Number.NEGATIVE_INFINITY
  #releasedLine = 0

  constructor(
    readonly windowNs: number,
    readonly file: string,
  ) {}

  /** Adds `e`; calls `out` with every event now older than the window, in time order. */
  push(e: TraceEvent, out: (e: TraceEvent) => void): void {
    const at = e.atNs
    if (at < this.#released) {
      throw new TraceFormatError(
        this.file,
        e.line,
        `a time no earlier than ${this.#released} ns (line ${this.#releasedLine}), the reorder window being ${this.windowNs / 1e6} ms (sort the trace by its first field)`,
        `${at}`,
      )
    }
    const buffer = this.#buffer
    const last = buffer[buffer.length - 1]
    if (last === undefined || last.atNs <= at || buffer.length === this.#head) buffer.push(e)
    else buffer.splice(this.#after(at), 0, e)
    const latest = buffer[buffer.length - 1]!.atNs
    const until = latest - this.windowNs
    while (this.#head < buffer.length && buffer[this.#head]!.atNs <= until) out(this.#take())
    if (this.#head >= COMPACT_AT) {
      buffer.splice(0, this.#head)
      this.#head = 0
    }
  }

  /** Lets every held event out, in order. */
  flush(out: (e: TraceEvent) => void): void {
    while (this.#head < this.#buffer.length) out(this.#take())
    this.#buffer.length = 0
    this.#head = 0
  }

  get held(): number {
    return this.#buffer.length - this.#head
  }

  #take(): TraceEvent {
    const e = this.#buffer[this.#head]!
    this.#buffer[this.#head++] = undefined as unknown as TraceEvent
    this.#released = e.atNs
    this.#releasedLine = e.line
    return e
  }

  /** Index of the first held event later than `at` (upper bound: ties stay in file order). */
  #after(at: number): number {
    const buffer = this.#buffer
    let lo = this.#head
    let hi = buffer.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (buffer[mid]!.atNs <= at) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

import type { TraceEvent } from './record.js'
import { TraceFormatError } from './record.js'

/**
 * Puts a nearly sorted stream of events in time order, holding back only the events of the last
 * `windowNs` of trace time. bpftrace prints from one buffer per CPU, so lines from two CPUs may come
 * out of order by a little; an event earlier than one already let out is a TraceFormatError that
 * names its line. Ties keep the order of the file.
 */
export class ReorderBuffer {
  readonly #heap: Array<{ e: TraceEvent; seq: number }> = []
  #seq = 0
  #latest = Number.NEGATIVE_INFINITY
  #released = Number.NEGATIVE_INFINITY
  #releasedLine = 0

  constructor(
    readonly windowNs: number,
    readonly file: string,
  ) {}

  /** Adds `e`; calls `out` with every event now older than the window, in time order. */
  push(e: TraceEvent, out: (e: TraceEvent) => void): void {
    if (e.atNs < this.#released) {
      throw new TraceFormatError(
        this.file,
        e.line,
        `a time no earlier than ${this.#released} ns (line ${this.#releasedLine}), the reorder window being ${this.windowNs / 1e6} ms (sort the trace by its first field)`,
        `${e.atNs}`,
      )
    }
    this.#insert({ e, seq: this.#seq++ })
    if (e.atNs > this.#latest) this.#latest = e.atNs
    const until = this.#latest - this.windowNs
    while (this.#heap.length > 0 && this.#heap[0]!.e.atNs <= until) out(this.#take())
  }

  /** Lets every held event out, in order. */
  flush(out: (e: TraceEvent) => void): void {
    while (this.#heap.length > 0) out(this.#take())
  }

  get held(): number {
    return this.#heap.length
  }

  #take(): TraceEvent {
    const heap = this.#heap
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= heap.length) break
        const r = l + 1
        const c = r < heap.length && before(heap[r]!, heap[l]!) ? r : l
        if (!before(heap[c]!, last)) break
        heap[i] = heap[c]!
        i = c
      }
      heap[i] = last
    }
    this.#released = top.e.atNs
    this.#releasedLine = top.e.line
    return top.e
  }

  #insert(item: { e: TraceEvent; seq: number }): void {
    const heap = this.#heap
    let i = heap.length
    heap.push(item)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(item, heap[parent]!)) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = item
  }
}

function before(a: { e: TraceEvent; seq: number }, b: { e: TraceEvent; seq: number }): boolean {
  return a.e.atNs < b.e.atNs || (a.e.atNs === b.e.atNs && a.seq < b.seq)
}

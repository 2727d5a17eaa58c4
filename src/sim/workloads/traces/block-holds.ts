import { BlkparseLines, BlkparsePairer } from './blkparse.js'
import { readLines } from './lines.js'
import { TraceOptionError } from './record.js'

/**
 * Hold times for maps that have none (ftrace's swiotlb_bounced), taken from a block trace of the same
 * run: a map at time t (from the start of its trace) is held as long as the block I/O issued last at or
 * before t (from the start of the block trace) took from issue to completion; a map before the first
 * I/O gets the first I/O's span. The two traces are aligned at their first events, so they must have
 * been started together. Kept in memory: two numbers per I/O (16 bytes), not the trace.
 */
export class BlockHolds {
  private constructor(
    /** Issue times from the block trace's first event, ns, ascending. */
    readonly issuedNs: Float64Array,
    /** Issue to completion, ns, for each. */
    readonly spanNs: Float64Array,
  ) {}

  static async load(file: string): Promise<BlockHolds> {
    const pairer = new BlkparsePairer()
    const pending = new Map<string, number>()
    const ios: Array<[number, number]> = []
    let first: number | undefined
    const lines = new BlkparseLines(file)
    let line = 0
    for await (const text of readLines(file)) {
      const e = lines.read(text, ++line)
      if (e === undefined) continue
      first ??= e.atNs
      const event = pairer.toEvent(e, line)
      if (event?.kind === 'map') pending.set(event.key, event.atNs)
      else if (event?.kind === 'unmap') {
        const at = pending.get(event.key)
        if (at === undefined) continue
        pending.delete(event.key)
        ios.push([at - first, event.atNs - at])
      }
    }
    // Without one completed I/O every map would be held 0 ms: a replay that says nothing.
    if (ios.length === 0)
      throw new TraceOptionError(
        `${file}: no block I/O in it completes (an issue D and its completion C): it gives no hold times for --hold-from`,
      )
    ios.sort((a, b) => a[0] - b[0])
    return new BlockHolds(
      Float64Array.from(ios, (x) => x[0]),
      Float64Array.from(ios, (x) => x[1]),
    )
  }

  get count(): number {
    return this.issuedNs.length
  }

  /** The hold of a map `sinceStartNs` after its trace began; undefined when the block trace has no I/O. */
  holdAt(sinceStartNs: number): number | undefined {
    const at = this.issuedNs
    if (at.length === 0) return undefined
    let lo = 0
    let hi = at.length - 1
    // The last index with at[i] <= t (0 when every I/O is later).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (at[mid]! <= sinceStartNs) lo = mid
      else hi = mid - 1
    }
    return this.spanNs[lo]
  }
}

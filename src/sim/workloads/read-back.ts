import type { FioJobSpec } from './fio-job-spec.js'

/**
 * What a clone wrote and must read back (fio's verify, HOWTO "Verification"): by default every block
 * written in a loop is read back after the loop (do_verify); with verify_backlog=N the reads come in
 * batches of verify_backlog_batch (default N) once N written blocks wait, during the writes, and what
 * is left is read back at the end of the loop.
 */
export class ReadBack {
  /** Sizes written and not yet read back, with their counts (end-of-loop read-back). */
  readonly #written = new Map<number, number>()
  /** Written blocks waiting for a backlog read-back, oldest first. */
  #queue: number[] = []
  #head = 0
  #batch = 0

  constructor(private readonly verify: FioJobSpec['verify']) {}

  /** A write of `size` bytes completed. */
  written(size: number): void {
    const v = this.verify
    if (v === null || v.only) return
    if (v.backlog !== null) {
      this.#queue.push(size)
      if (this.#batch === 0 && this.#queue.length - this.#head >= v.backlog)
        this.#batch = v.backlogBatch ?? v.backlog
      return
    }
    if (v.readBack) this.#written.set(size, (this.#written.get(size) ?? 0) + 1)
  }

  /** The size of the next backlog read-back, if a batch is due. */
  nextBacklog(): number | undefined {
    if (this.#batch === 0) return undefined
    const size = this.#take()
    this.#batch = size === undefined ? 0 : this.#batch - 1
    return size
  }

  /** The size of the next end-of-loop read-back, until everything written is read back. */
  nextWritten(): number | undefined {
    const queued = this.#take()
    if (queued !== undefined) return queued
    for (const [size, count] of this.#written) {
      if (count <= 1) this.#written.delete(size)
      else this.#written.set(size, count - 1)
      return size
    }
    return undefined
  }

  #take(): number | undefined {
    if (this.#head >= this.#queue.length) return undefined
    const size = this.#queue[this.#head++]
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    return size
  }
}

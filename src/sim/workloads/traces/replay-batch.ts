import { drainMicrotasks } from '../../../clock/real-clock.js'
import type { PolicyResult } from '../../result.js'
import {
  type ReplayOptions,
  type ReplayRun,
  replayRuns,
  type TraceInput,
  type TraceSummary,
} from './replay.js'

interface Pending {
  run: ReplayRun
  resolve: (r: PolicyResult) => void
  reject: (error: unknown) => void
}

/**
 * Gathers the replays asked for at about the same time into one pass of the trace file.
 *
 * A size search asks for runs one candidate (or a few) at a time, several policies side by side, and
 * each answer leads to the next request on a later microtask. Reading a large trace is most of a
 * replay's cost, so the requests made while a pass runs, and those made once its results are handed
 * out (after pending callbacks have run), go into the next pass together. Every run has its own clock,
 * pool and devices, so which runs share a pass changes nothing in any run's result.
 */
export class ReplayBatch {
  #pending: Pending[] = []
  #running = false
  /** Passes of the file so far, and runs replayed in them. */
  passes = 0
  replays = 0
  /** What the last pass learnt about the trace. */
  summary: TraceSummary | undefined

  constructor(
    readonly input: TraceInput,
    readonly options: ReplayOptions = {},
    readonly onPass?: (passes: number, runs: number) => void,
  ) {}

  /** One run's result, from the next pass of the file. */
  run(run: ReplayRun): Promise<PolicyResult> {
    const promise = new Promise<PolicyResult>((resolve, reject) => {
      this.#pending.push({ run, resolve, reject })
    })
    if (!this.#running) void this.#drain()
    return promise
  }

  async #drain(): Promise<void> {
    this.#running = true
    try {
      for (;;) {
        // Let every caller whose previous run just finished ask for its next one first.
        await drainMicrotasks()
        if (this.#pending.length === 0) break
        const batch = this.#pending
        this.#pending = []
        try {
          const { summary, results } = await replayRuns(
            this.input,
            batch.map((p) => p.run),
            this.options,
          )
          this.summary = summary
          this.replays += batch.length
          this.passes++
          this.onPass?.(this.passes, batch.length)
          batch.forEach((p, i) => {
            p.resolve(results[i]!)
          })
        } catch (error) {
          for (const p of batch) p.reject(error)
        }
      }
    } finally {
      this.#running = false
    }
  }
}

import { availableParallelism } from 'node:os'
import pLimit from 'p-limit'
import { Piscina } from 'piscina'
import { executeTask } from './execute.js'
import type { OutcomeOf, Task } from './task.js'

/**
 * Where independent runs go. `run` resolves with the task's outcome; callers keep their own order
 * (Promise.all over their tasks), so the answer never depends on which run finished first.
 */
export interface TaskRunner {
  /** Runs at the same time at most. */
  readonly jobs: number
  run<T extends Task>(task: T): Promise<OutcomeOf<T>>
  /** Stops the worker threads; runs still queued reject. */
  close(): Promise<void>
}

/** The default number of runs at once: every core this process may use. */
export function defaultJobs(): number {
  return availableParallelism()
}

/**
 * A runner with `jobs` runs at once: in this thread, one after another, for 1; else a piscina pool of
 * `jobs` worker threads. From the TypeScript sources (tsx, vitest) a worker starts at
 * worker-source.mjs, which registers tsx first; from the built package at worker.js.
 */
export function createRunner(jobs: number = defaultJobs()): TaskRunner {
  if (!Number.isSafeInteger(jobs) || jobs < 1) {
    throw new RangeError(`Expected \`jobs\` to be a whole number from 1, got ${String(jobs)}`)
  }
  return jobs === 1 ? inlineRunner() : workerRunner(jobs)
}

function inlineRunner(): TaskRunner {
  // One at a time: runs in the same thread would interleave on the event loop and hold each other's
  // memory, and gain nothing.
  const limit = pLimit(1)
  return {
    jobs: 1,
    run: (task) => limit(() => executeTask(task)),
    close: async () => limit.clearQueue(),
  }
}

function workerRunner(jobs: number): TaskRunner {
  const fromSource = import.meta.url.endsWith('.ts')
  const filename = new URL(fromSource ? './worker-source.mjs' : './worker.js', import.meta.url).href
  const pool = new Piscina({ filename, minThreads: jobs, maxThreads: jobs, idleTimeout: 60_000 })
  return {
    jobs,
    run: (task) => pool.run(task),
    close: () => pool.destroy(),
  }
}

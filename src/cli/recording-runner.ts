import type { SizingRun } from '../report/sizing.js'
import type { RunOutcome, TaskRunner } from '../sim/index.js'

/**
 * A runner that passes every task on and keeps what each sizing run at a candidate size measured,
 * for the report's sizing chart (runs on the unconstrained pool, which do not stop at an error, are
 * left out). Runs are kept as they finish; the report sorts them, so the page is the same whatever
 * the number of workers.
 */
export function recordingRunner(inner: TaskRunner): TaskRunner & { runs: SizingRun[] } {
  const runs: SizingRun[] = []
  const seen = new Set<string>()
  return {
    jobs: inner.jobs,
    runs,
    run: async (task) => {
      const outcome = await inner.run(task)
      const key = JSON.stringify([task.policy, task.spec.pool.size, task.seed])
      if (task.kind === 'run' && task.stopOnError && !seen.has(key)) {
        seen.add(key)
        const o = outcome as RunOutcome
        runs.push({
          policy: task.policy,
          poolBytes: task.spec.pool.size,
          seed: task.seed,
          healthy: o.ioErrors === 0 && o.stuckIos === 0 && o.importFailures === 0,
          mibps: o.mibps,
        })
      }
      return outcome
    },
    close: () => inner.close(),
  }
}

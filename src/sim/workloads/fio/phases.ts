import type { FioJob } from './job.js'
import type { FioLog, FioSource } from './problems.js'

/** The ordering options of one job, as written. */
export interface JobFlags {
  stonewall: boolean
  newGroup: boolean
  waitFor: { name: string; source: FioSource } | undefined
}

/**
 * Orders jobs the way fio's backend starts them (backend.c, run_threads; HOWTO `stonewall`,
 * `wait_for`, `new_group`):
 *
 * - a `stonewall` job waits for every job before it to exit, and so do the jobs after it (fio does
 *   not start a later job before the stonewall job has started): a new phase;
 * - a `wait_for=name` job waits for every clone of that earlier job only;
 * - other jobs start with the phase they are in; startdelay counts from the start of the run.
 *
 * Reporting groups: a stonewall or new_group starts a new one. `stonewall[i]`, `newGroup[i]` and
 * `waitFor[i]` are the options of jobs[i].
 */
export function assignPhases(
  jobs: FioJob[],
  flags: ReadonlyArray<JobFlags>,
  log: FioLog,
): Array<{ jobs: FioJob[] }> {
  let phase = 0
  let maxPhase = 0
  let group = 0
  let wallAfter: string[] = []
  const seen = new Map<string, FioJob>()
  const counts = new Map<string, number>()
  for (const job of jobs) counts.set(job.name, (counts.get(job.name) ?? 0) + 1)
  jobs.forEach((job, i) => {
    const { stonewall, newGroup, waitFor } = flags[i]!
    if (i > 0 && stonewall) {
      phase = maxPhase + 1
      wallAfter = jobs.slice(0, i).map((j) => j.name)
    }
    if (i > 0 && (stonewall || newGroup)) group++
    let jobPhase = phase
    const after = [...wallAfter]
    if (waitFor !== undefined) {
      const waitee = seen.get(waitFor.name)
      if (waitee === undefined) {
        log.problem(
          waitFor.source,
          'wait_for',
          `names no earlier job ${JSON.stringify(waitFor.name)} (fio allows no forward references)`,
        )
      } else if ((counts.get(waitFor.name) ?? 0) > 1) {
        log.problem(
          waitFor.source,
          'wait_for',
          `names ${JSON.stringify(waitFor.name)}, which more than one job is called (fio needs a unique waitee)`,
        )
      } else {
        jobPhase = Math.max(phase, waitee.phase + 1)
        after.push(waitFor.name)
      }
    }
    job.phase = jobPhase
    job.after = [...new Set(after)]
    job.group = group
    maxPhase = Math.max(maxPhase, jobPhase)
    if (!seen.has(job.name)) seen.set(job.name, job)
  })
  const phases: Array<{ jobs: FioJob[] }> = []
  for (let p = 0; p <= maxPhase; p++) phases.push({ jobs: jobs.filter((j) => j.phase === p) })
  return phases.filter((p) => p.jobs.length > 0)
}

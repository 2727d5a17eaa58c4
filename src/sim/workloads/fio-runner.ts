import type { SimContext } from '../context.js'
import type { BlockDevice } from '../devices/device.js'
import type { JobSpec } from '../spec.js'
import { FioClone } from './fio-clone.js'
import { FlowGroups } from './flow.js'
import { CloneStats } from './job-stats.js'

interface JobRun {
  job: JobSpec
  clones: FioClone[]
  started: boolean
  cancelled: boolean
  done: Promise<void>
  finish: () => void
}

/**
 * Starts the jobs of a fio job file the way fio's backend does (run_threads): a job starts once every
 * job it waits for (stonewall, wait_for) has finished, and not before its startdelay, which counts
 * from the start of the run; its clones then run side by side. exitall ends the other jobs of the
 * group (or every running job, or all jobs) when one clone finishes. `active` stays true until every
 * job has finished.
 */
export class FioRunner {
  readonly stats: CloneStats[] = []
  readonly #runs: JobRun[] = []
  readonly #flows = new FlowGroups()
  #pending = 0
  /** Clock time the last job finished, ms. */
  finishedAtMs = 0

  constructor(
    private readonly ctx: SimContext,
    jobs: readonly JobSpec[],
    devices: ReadonlyMap<string, BlockDevice>,
    firstCpu: number,
  ) {
    let nextCpu = firstCpu
    const groups = new Map<number, CloneStats>()
    for (const job of jobs) {
      const f = job.fio!
      let finish!: () => void
      const done = new Promise<void>((resolve) => {
        finish = resolve
      })
      const run: JobRun = { job, clones: [], started: false, cancelled: false, done, finish }
      for (let i = 0; i < job.numjobs; i++) {
        const cpu = job.cpus === undefined ? nextCpu++ % ctx.cpus : job.cpus[i % job.cpus.length]!
        // group_reporting: every clone of the group counts into one entry, named after its first job.
        let stats = f.report.groupReporting ? groups.get(f.group) : undefined
        if (stats === undefined) {
          stats = new CloneStats(job.name, i, f.group, f.report, f.bwAvgMs, f.iopsAvgMs)
          this.stats.push(stats)
          if (f.report.groupReporting) groups.set(f.group, stats)
        }
        const flow = f.flow === null ? undefined : this.#flows.get(f.flow.id)
        run.clones.push(new FioClone(job, i, cpu, devices.get(job.device)!, ctx, stats, flow))
      }
      this.#runs.push(run)
    }
    this.#pending = this.#runs.length
  }

  /** True until every job has finished. */
  get active(): boolean {
    return this.#pending > 0
  }

  start(): void {
    for (const run of this.#runs) this.#start(run).catch(this.ctx.fatal)
  }

  async #start(run: JobRun): Promise<void> {
    const f = run.job.fio!
    const waits = this.#runs.filter((r) => r !== run && f.after.includes(r.job.name)).map((r) => r.done)
    await Promise.all(waits)
    const engine = this.ctx.engine
    const clones = run.cancelled
      ? []
      : run.clones.map(async (clone, i) => {
          const [lo, hi] = f.startDelayMs
          const delay =
            lo === hi ? lo : lo + (hi - lo) * this.ctx.rng(`startdelay:${run.job.name}:${i}`).next()
          const wait = delay - engine.clock.now()
          if (wait > 0) await engine.sleep(wait)
          if (run.cancelled) return
          run.started = true
          await clone.run()
          if (!clone.stopped) this.#exitall(run)
        })
    await Promise.all(clones)
    this.#pending--
    this.finishedAtMs = Math.max(this.finishedAtMs, engine.clock.now())
    run.finish()
  }

  /** exitall (HOWTO `exitall`, `exit_what`): a clone finished; end the jobs it takes down with it. */
  #exitall(from: JobRun): void {
    const what = from.job.fio!.exitall
    if (what === null) return
    for (const clone of from.clones) clone.stop()
    for (const run of this.#runs) {
      if (run === from) continue
      const hit =
        what === 'all' ||
        (what === 'group' && run.job.fio!.group === from.job.fio!.group) ||
        (what === 'stonewall' && run.started)
      if (!hit) continue
      run.cancelled = true
      for (const clone of run.clones) clone.stop()
    }
  }
}

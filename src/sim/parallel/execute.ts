import { SLOT_SIZE } from '../../index.js'
import { runPolicy } from '../run.js'
import { UsageTrace } from '../usage-trace.js'
import type { OutcomeOf, RunOutcome, RunTask, Task, TraceOutcome, TraceTask } from './task.js'

/** Runs one task here, in this thread. Worker threads call this; so does the in-process runner. */
export function executeTask<T extends Task>(task: T): Promise<OutcomeOf<T>> {
  return (task.kind === 'run' ? executeRun(task) : executeTrace(task)) as Promise<OutcomeOf<T>>
}

async function executeRun(task: RunTask): Promise<RunOutcome> {
  const { result: r } = await runPolicy(task.spec, task.policy, task.seed, undefined, {
    stopOnError: task.stopOnError,
  })
  return {
    ios: r.ios,
    ioErrors: r.ioErrors,
    stuckIos: r.stuckIos,
    importFailures: r.imports.failed,
    iops: r.iops,
    mibps: r.mibps,
    peakPoolBytes: r.poolBytes.peak,
    hiwaterBytes: r.hiwater.exact,
    mapWaitP99Us: r.mapWaitUs.p99,
    clatP99Us: r.clatUs['99.00'] ?? 0,
  }
}

async function executeTrace(task: TraceTask): Promise<TraceOutcome> {
  let trace: UsageTrace | undefined
  const { result: r } = await runPolicy(task.spec, task.policy, task.seed, undefined, {
    observe: (_policy, dma) => {
      trace = new UsageTrace(dma)
      return undefined
    },
  })
  trace!.stop()
  const end = task.spec.runtimeMs
  const sampledBytes = task.intervalsMs.map((interval) =>
    Array.from(
      { length: task.offsets },
      (_, j) => trace!.sampledMax(interval, (interval * j) / task.offsets, end) * SLOT_SIZE,
    ),
  )
  return { exactBytes: r.hiwater.exact, perAreaSumBytes: r.hiwater.perAreaSum, sampledBytes }
}

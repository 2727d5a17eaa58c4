import { SLOT_SIZE } from '../../index.js'
import { runPolicy } from '../run.js'
import { UsageTrace } from '../usage-trace.js'
import {
  type OutcomeOf,
  outcomeOf,
  type RunOutcome,
  type RunTask,
  type Task,
  type TraceOutcome,
  type TraceTask,
} from './task.js'

/** Runs one task here, in this thread. Worker threads call this; so does the in-process runner. */
export function executeTask<T extends Task>(task: T): Promise<OutcomeOf<T>> {
  return (task.kind === 'run' ? executeRun(task) : executeTrace(task)) as Promise<OutcomeOf<T>>
}

async function executeRun(task: RunTask): Promise<RunOutcome> {
  const { result: r } = await runPolicy(task.spec, task.policy, task.seed, undefined, {
    stopOnError: task.stopOnError,
  })
  return outcomeOf(r)
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
  return {
    exactBytes: r.hiwater.exact,
    perAreaSumBytes: r.hiwater.perAreaSum,
    traceMaxBytes: trace!.max() * SLOT_SIZE,
    sampledBytes,
  }
}

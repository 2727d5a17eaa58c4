import { executeTask } from './execute.js'
import type { OutcomeOf, Task } from './task.js'

/** A worker thread's task function (piscina calls the default export with each task). */
export default function runInWorker<T extends Task>(task: T): Promise<OutcomeOf<T>> {
  return executeTask(task)
}

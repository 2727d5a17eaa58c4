import { closeBatch, openBatch } from '../clock/reading-batch.js'
import type { Mapping } from './mapping.js'
import type { PendingCall } from './pending-map.js'

/** What `withMapping` runs while the mapping is held. */
export type MappingCallback<R> = (mapping: Mapping) => R | PromiseLike<R>

function release(m: Mapping, strict: boolean): void {
  if (!m.live) return
  try {
    m.unmap()
  } catch (error) {
    if (m.live) m.unmap({ skipCpuSync: true })
    if (strict) throw error
  }
}

/** Mappings whose callbacks' promises have settled, to free on the next flush (in that order). */
let settled: Mapping[] = []
const resolved = Promise.resolve()
const skipCpuSync = { skipCpuSync: true } as const

/**
 * Frees every mapping in `settled`; one that fails does not keep the others. The waiters the frees
 * admit share one clock reading per pool (clock/reading-batch): only this code runs between them.
 */
function flushSettled(): void {
  const list = settled
  settled = []
  let failure: { error: unknown } | undefined
  const batch = openBatch()
  for (const m of list) {
    try {
      if (m.live) m.unmap(skipCpuSync)
    } catch (error) {
      failure ??= { error }
    }
  }
  closeBatch(batch) // every error was caught above
  if (failure !== undefined) throw failure.error
}

/**
 * Unmaps `m` after fn's promise settled. The copy back (and, when `strict`, its error) comes now; the
 * free, which admits the next waiter, in a reaction queued now, so after this call's reaction has
 * returned: that reaction runs before the one that settles this call's promise, but what it admits
 * runs after it. So calls settle in the order they started, and the next may start before the previous
 * settles, as with p-limit and async-mutex. Freed at once, a synchronous next call settled first: this
 * call's promise adopts fn's, two microtasks on. The frees queued before a flush runs share it (one
 * reaction, no closure per call: Node's queueMicrotask makes an AsyncResource per call).
 */
function releaseSettled(m: Mapping, strict: boolean): void {
  if (!m.live) return
  if (strict) {
    try {
      m.syncForCpu()
    } catch {
      release(m, true) // the unmap's own error, after freeing without the copy
    }
  }
  if (settled.push(m) === 1) void resolved.then(flushSettled)
}

/**
 * Runs `fn(m)` and unmaps `m` whatever the outcome: the value of fn, or its error. A callback that
 * unmapped `m` itself is fine. When the unmap cannot copy back (the caller's buffer was detached), the
 * slots are freed without the copy and the unmap's error is the result, unless fn had failed first:
 * its error wins. A `then` getter on fn's result that throws is fn's error.
 */
function callAndRelease<R>(m: Mapping, fn: MappingCallback<R>): R | PromiseLike<R> {
  let result: R | PromiseLike<R>
  let then: unknown
  try {
    result = fn(m)
    if (result !== null && (typeof result === 'object' || typeof result === 'function'))
      then = (result as PromiseLike<R>).then
  } catch (error) {
    release(m, false)
    throw error
  }
  if (typeof then !== 'function') return afterValue(m, result as R)
  return Promise.resolve(result).then(
    (value) => {
      releaseSettled(m, true)
      return value
    },
    (error: unknown) => {
      releaseSettled(m, false)
      throw error
    },
  )
}

function afterValue<R>(m: Mapping, value: R): R {
  release(m, true)
  return value
}

/**
 * withMapping's callback for a mapping that `mapping` settles with.
 *
 * The callback is a reaction registered on that promise in the caller's own frame, so:
 * - it starts on a later microtask, never inside the caller's frame (even when admitted at once), nor
 *   inside the unmap of whoever admitted it (direct handoff settles the promise there; the reaction
 *   runs after that unmap has returned);
 * - it runs in the caller's async context (AsyncLocalStorage): a promise reaction keeps the context of
 *   the frame that registered it, which is what AsyncResource.bind would capture, for one promise and
 *   no resource object (p-limit #83, p-queue #200 were callbacks run in the releaser's context).
 */
export function runWithMapping<R>(mapping: Promise<Mapping>, fn: MappingCallback<R>): Promise<R> {
  return mapping.then((m) => callAndRelease(m, fn))
}

/** The callback of a queued call, started from its waiter once admitted (see PendingCall). */
function runAdmitted(w: PendingCall): unknown {
  const m = w.mapping!
  w.mapping = undefined
  return callAndRelease(m, w.fn)
}

/**
 * withMapping for a call that waits: `admitted` fulfils with its waiter (a PendingCall) when admitted,
 * or rejects with map's error. The reaction is registered in the caller's frame, as runWithMapping's
 * is, and starts the callback on the same microtask: same order, same async context.
 */
export function runQueued(admitted: Promise<PendingCall>): Promise<unknown> {
  return admitted.then(runAdmitted)
}

import type { SharedSwiotlbHandle } from '../../src/index.js'

/**
 * How the stress test's main thread and its workers talk through shared memory.
 *
 *   ctl (Int32Array):  PHASE (RUN, PAUSE, STOP) | ARRIVED (workers parked) | GEN (bumped to resume)
 *   mailbox:           addr offset + 1 of a mapping handed to whichever thread takes it, or 0
 *   reports:           per worker, written while parked: live count, pending count, then per live
 *                      mapping: offset, slots, blocking
 */
export const PHASE = 0
export const ARRIVED = 1
export const GEN = 2
export const RUN = 0
export const PAUSE = 1
export const STOP = 2

export const MAILBOX = 16
/** Live mappings a worker keeps at most (it unmaps beyond). */
export const MAX_LIVE = 48
export const REPORT_WORDS = 2 + 3 * (MAX_LIVE + 8)

export interface StressWorkerData {
  handle: SharedSwiotlbHandle
  ctl: SharedArrayBuffer
  mailbox: SharedArrayBuffer
  reports: SharedArrayBuffer
  index: number
  seed: number
}

/** What a worker did, posted when it stops. */
export interface WorkerCounts {
  tryMaps: number
  tryMapFull: number
  blockingAsync: number
  blockingSync: number
  admitted: number
  timeouts: number
  aborts: number
  unmaps: number
  handoffs: number
  crossUnmaps: number
  dataChecks: number
  barriers: number
  /** Async calls made and settled: equal once the worker stops. */
  issued: number
  settled: number
}

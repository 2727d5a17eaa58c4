import type { Worker } from 'node:worker_threads'
import { type HiwaterMode, SharedSwiotlb } from '../../src/index.js'
import { checkShared, type LiveRange, ownedRecords, rangeOf } from './check-shared.js'
import {
  ARRIVED,
  GEN,
  MAILBOX,
  PAUSE,
  PHASE,
  REPORT_WORDS,
  RUN,
  STOP,
  type StressWorkerData,
  type WorkerCounts,
} from './stress-protocol.js'
import { tsWorker } from './ts-worker.js'

export interface StressOptions {
  threads: number
  durationMs: number
  /** Time between barriers, at which every invariant is checked with all workers parked. */
  barrierEveryMs: number
  seed: number
  hiwater: HiwaterMode
}

export interface StressResult {
  threads: number
  totals: WorkerCounts
  /** Barriers passed, each a full check of the shared state with all workers parked. */
  barrierChecks: number
  /** The largest `used` seen at a barrier, and the pool's final mark. */
  peakAtBarrier: number
  hiwater: number | undefined
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
type WaitAsync = (a: Int32Array, i: number, v: number, ms: number) => { async: boolean; value: unknown }
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync

/**
 * Runs worker threads doing random maps, unmaps, timeouts and aborts on one shared pool for
 * `durationMs` (wall time: real threads), stopping them all at a barrier every `barrierEveryMs` to
 * check the whole shared state, then stops them, drains, and checks that nothing is left.
 */
export async function stress(o: StressOptions): Promise<StressResult> {
  const pool = new SharedSwiotlb({
    size: '1M',
    areas: 4,
    throttle: { high: 0.7 },
    hiwater: o.hiwater,
    maxWaiters: 64,
  })
  const ctl = new Int32Array(new SharedArrayBuffer(16))
  ctl[PHASE] = PAUSE
  const mailbox = new Int32Array(new SharedArrayBuffer(MAILBOX * 4))
  const reports = new Int32Array(new SharedArrayBuffer(o.threads * REPORT_WORDS * 4))
  const workers: Worker[] = []
  const results: Promise<WorkerCounts>[] = []
  for (let index = 0; index < o.threads; index++) {
    const workerData: StressWorkerData = {
      handle: pool.handle,
      ctl: ctl.buffer as SharedArrayBuffer,
      mailbox: mailbox.buffer as SharedArrayBuffer,
      reports: reports.buffer as SharedArrayBuffer,
      index,
      seed: o.seed,
    }
    const w = tsWorker(new URL('./stress-worker.ts', import.meta.url), { workerData })
    workers.push(w)
    results.push(
      new Promise((resolve, reject) => {
        w.once('message', resolve)
        w.once('error', reject)
        w.once('exit', (code) => reject(new Error(`worker ${index} exited (${code}) before reporting`)))
      }),
    )
  }
  // A worker that fails rejects its result: stop waiting for barriers then.
  let failure: unknown
  for (const r of results) r.catch((e: unknown) => (failure ??= e))
  let barrierChecks = 0
  let peakAtBarrier = 0
  /** Waits until every worker is parked; false if one failed meanwhile. */
  const gather = async (): Promise<boolean> => {
    for (let n = Atomics.load(ctl, ARRIVED); n < o.threads; n = Atomics.load(ctl, ARRIVED)) {
      if (failure !== undefined) return false
      const w = waitAsync(ctl, ARRIVED, n, 100)
      if (w.async) await w.value
    }
    return failure === undefined
  }
  const resume = (phase: number): void => {
    Atomics.store(ctl, ARRIVED, 0)
    Atomics.store(ctl, PHASE, phase)
    Atomics.add(ctl, GEN, 1)
    Atomics.notify(ctl, GEN)
  }
  try {
    // Workers start parked (loading TypeScript takes them a while): the clock starts when all are in.
    if (await gather()) {
      resume(RUN)
      const started = Date.now()
      while (Date.now() - started < o.durationMs) {
        await sleep(o.barrierEveryMs)
        Atomics.store(ctl, PHASE, PAUSE)
        if (!(await gather())) break
        peakAtBarrier = Math.max(peakAtBarrier, checkAtBarrier(pool, o.threads, reports, mailbox))
        barrierChecks++
        resume(RUN)
      }
    }
  } finally {
    resume(STOP)
  }
  const counts = await Promise.all(results)
  // Mappings still in the mailbox belong to nobody: this thread unmaps them by address.
  for (let i = 0; i < MAILBOX; i++) {
    const v = Atomics.exchange(mailbox, i, 0)
    if (v !== 0) pool.unmap(2 ** 32 + v - 1)
  }
  checkShared(pool.handle, { live: [], waiting: 0 })
  const totals = { ...counts[0]! }
  for (const c of counts.slice(1))
    for (const k of Object.keys(totals) as (keyof WorkerCounts)[]) totals[k] += c[k]
  const s = pool.stats()
  const expected = { used: 0, timeouts: totals.timeouts, aborts: totals.aborts, settled: totals.issued }
  const actual = {
    used: s.used,
    timeouts: s.throttle.timeouts,
    aborts: s.throttle.aborts,
    settled: totals.settled,
  }
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(`after the run: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`)
  pool.close()
  return { threads: o.threads, totals, barrierChecks, peakAtBarrier, hiwater: s.hiwater }
}

/** All workers are parked: the live mappings are theirs, the mailbox's and the granted records'. */
function checkAtBarrier(
  pool: SharedSwiotlb,
  threads: number,
  reports: Int32Array,
  mailbox: Int32Array,
): number {
  const live: LiveRange[] = []
  let pending = 0
  for (let t = 0; t < threads; t++) {
    const r = reports.subarray(t * REPORT_WORDS, (t + 1) * REPORT_WORDS)
    pending += r[1]!
    for (let i = 0; i < r[0]!; i++) {
      const range = rangeOf(pool.handle, { offset: r[2 + 3 * i]!, slots: r[3 + 3 * i]! })
      if (range.blocking !== (r[4 + 3 * i] === 1))
        throw new Error(`mapping at offset ${r[2 + 3 * i]} recorded with the wrong blocking flag`)
      live.push(range)
    }
  }
  for (let i = 0; i < MAILBOX; i++) {
    const v = Atomics.load(mailbox, i)
    if (v !== 0) live.push(rangeOf(pool.handle, { offset: v - 1, slots: slotsAt(pool, v - 1) }))
  }
  const records = ownedRecords(pool.handle)
  live.push(...records.granted)
  // Every call a worker still awaits holds exactly one record: queued, granted or cancelled.
  if (records.waiting + records.owned !== pending)
    throw new Error(`${pending} pending calls, ${records.waiting} queued + ${records.owned} owned records`)
  checkShared(pool.handle, { live, waiting: records.waiting, owned: records.owned })
  const s = pool.stats()
  const total = live.reduce((sum, r) => sum + r.nslots, 0)
  if (s.used !== total) throw new Error(`used ${s.used}, live slots ${total}`)
  // Every mark but sampled's is at least the slots in use now, less its stated bound (0 for exact).
  const floor = s.hiwaterMode === 'per-area' ? total : total - (s.hiwaterBound ?? Number.POSITIVE_INFINITY)
  if (s.hiwater !== undefined && s.hiwater < floor)
    throw new Error(
      `${s.hiwaterMode} hiwater ${s.hiwater} below ${floor} (used ${total}, bound ${s.hiwaterBound})`,
    )
  return total
}

function slotsAt(pool: SharedSwiotlb, offset: number): number {
  const slots = new Int32Array(pool.handle.slots)
  return slots[(offset >>> 11) * 4 + 2]! & 0xff
}

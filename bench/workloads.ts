import { Semaphore } from 'async-mutex'
import pLimit from 'p-limit'
import { lib } from './lib.js'
import { MinimalLimiter } from './throttle/reference.js'

/** The hot paths that bench/profile.ts and bench/gc-stats.ts run, by name. */

export const TASKS = 10_000

/**
 * Tasks per batch of the contended workloads (TASKS unless `npm run norm -- --tasks N` says otherwise):
 * the young generation's scavenges can lock onto a batch's phase, so a ratio is worth checking at
 * more than one batch size (docs/performance.md, "A benchmark artefact").
 */
export const batch = { tasks: TASKS }

export type Workload = () => Promise<void>

/** The work every contended task does, as in bench/throttle/blocking.ts. */
const work = async (): Promise<void> => {
  await null
}

export const WORKLOADS: Record<string, () => Workload> = {
  /** The uncontended blocking path: map(4096, true) + unmap. */
  uncontended() {
    const dma = new lib.Swiotlb({ backing: false })
    return async () => {
      for (let i = 0; i < 1000; i++) {
        const m = await dma.map(4096, true)
        m.unmap()
      }
    }
  },
  /** The accounting-only non-blocking path: tryMap(4096) + unmap. */
  trymap() {
    const dma = new lib.Swiotlb({ backing: false })
    return async () => {
      for (let i = 0; i < 1000; i++) dma.tryMap(4096)!.unmap()
    }
  },
  /** 10,000 tasks through a budget of 16 one-slot mappings (bench case `contended`). */
  contended() {
    const dma = new lib.Swiotlb({ size: '256K', backing: false, throttle: { high: 0.125 } })
    return () =>
      all(async () => {
        const m = await dma.map(2048, true)
        await work()
        m.unmap()
      })
  },
  /** The same through withMapping, the one-call form (bench case `contended`, headline). */
  'contended-cb'() {
    const dma = new lib.Swiotlb({ size: '256K', backing: false, throttle: { high: 0.125 } })
    return () => all(() => dma.withMapping(2048, true, work))
  },
  /** The minimal FIFO limiter's run(fn) on the same tasks: what a bare counter and queue cost. */
  'reference-cb'() {
    const minimal = new MinimalLimiter(16)
    return () => all(() => minimal.run(1, work))
  },
  /** The minimal FIFO limiter's manual form (acquire + await work() + release) on the same tasks. */
  'reference-manual'() {
    const minimal = new MinimalLimiter(16)
    return () =>
      all(async () => {
        const n = await minimal.acquire(1)
        await work()
        minimal.release(n)
      })
  },
  /** p-limit's limit(work) on the same tasks (the contended anchor). */
  'p-limit'() {
    const limit = pLimit(16)
    return () => all(() => limit(work))
  },
  /** async-mutex Semaphore(16) acquire + await work() + release on the same tasks. */
  semaphore() {
    const sem = new Semaphore(16)
    return () =>
      all(async () => {
        const [, release] = await sem.acquire()
        await work()
        release()
      })
  },
  /** The uncontended anchor: async-mutex Semaphore(1) acquire + release. */
  'semaphore-uncontended'() {
    const sem = new Semaphore(1)
    return async () => {
      for (let i = 0; i < 1000; i++) {
        const [, release] = await sem.acquire()
        release()
      }
    }
  },
  /** 10,000 requests of 1..32 slots through a budget of 256 (bench case `weighted`). */
  weighted() {
    const dma = new lib.Swiotlb({ size: '2M', backing: false, throttle: { high: 0.25 } })
    return () =>
      all(async (i) => {
        const m = await dma.map((1 + ((i * 7919 + 13) % 32)) * 2048, true)
        await work()
        m.unmap()
      })
  },
  /** The same through withMapping (bench case `weighted`, extra row). */
  'weighted-cb'() {
    const dma = new lib.Swiotlb({ size: '2M', backing: false, throttle: { high: 0.25 } })
    return () => all((i) => dma.withMapping((1 + ((i * 7919 + 13) % 32)) * 2048, true, work))
  },
  /** The weighted anchor: async-mutex Semaphore(256) acquire(w) + await work() + release. */
  'semaphore-weighted'() {
    const sem = new Semaphore(256)
    return () =>
      all(async (i) => {
        const [, release] = await sem.acquire(1 + ((i * 7919 + 13) % 32))
        await work()
        release()
      })
  },
}

/** Operations per call of each workload, to report bytes per operation. */
export const OPS: Record<string, number> = { uncontended: 1000, trymap: 1000, 'semaphore-uncontended': 1000 }

async function all(task: (i: number) => Promise<void>): Promise<void> {
  const n = batch.tasks
  const tasks = new Array<Promise<void>>(n)
  for (let i = 0; i < n; i++) tasks[i] = task(i)
  await Promise.all(tasks)
}

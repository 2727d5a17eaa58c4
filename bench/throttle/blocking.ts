import { Mutex, Semaphore } from 'async-mutex'
import pLimit from 'p-limit'
import { type BenchCase, result } from '../case.js'
import { compare, fmt, rawRows } from '../harness.js'
import { lib } from '../lib.js'
import { floorTask, MinimalLimiter } from './reference.js'

const TASKS = 10_000

/** The work every task does while it holds its budget: one microtask. */
const work = async (): Promise<void> => {
  await null
}

/** Uncontended blocking map + unmap against async-mutex's uncontended acquire/release. */
export const uncontended: BenchCase = {
  id: 'uncontended',
  async run(options) {
    const batch = 1000
    const dma = new lib.Swiotlb({ backing: false })
    const mutex = new Mutex()
    const [d, a] = await compare(
      [
        {
          name: 'dma-throttle map(4096, true) + unmap',
          batch,
          fn: async () => {
            for (let i = 0; i < batch; i++) {
              const m = await dma.map(4096, true)
              m.unmap()
            }
          },
        },
        {
          name: 'async-mutex acquire + release',
          batch,
          fn: async () => {
            for (let i = 0; i < batch; i++) {
              const release = await mutex.acquire()
              release()
            }
          },
        },
      ],
      options,
    )
    return result({
      id: this.id,
      title: 'uncontended blocking map(4096, true) + unmap vs async-mutex acquire/release',
      metric: 'async-mutex ns/op ÷ dma-throttle ns/op',
      unit: '×',
      target: { kind: 'min', value: 2 },
      value: a!.nsPerOp / d!.nsPerOp,
      raw: rawRows([d!, a!]),
      notes: ['backing: false, default 64 MiB pool and throttle; each op awaits its map'],
    })
  },
}

/** 10,000 tasks through 16 mappings of budget, each holding its mapping across one microtask. */
export const contended: BenchCase = {
  id: 'contended',
  async run(options) {
    // 128 slots × high 0.125 = a blocking budget of exactly 16 one-slot (2048-byte) mappings.
    const dma = new lib.Swiotlb({ size: '256K', backing: false, throttle: { high: 0.125 } })
    const budget = dma.stats().throttle.budget
    if (budget !== 16) throw new Error(`contended: expected a budget of 16 slots, got ${budget}`)
    const dmaTask = async (): Promise<void> => {
      const m = await dma.map(2048, true)
      await null
      m.unmap()
    }
    const limit = pLimit(16)
    const minimal = new MinimalLimiter(16)
    const minimalTask = async (): Promise<void> => {
      const n = await minimal.acquire(1)
      await null
      minimal.release(n)
    }
    const [d, p, dm] = await compare(
      [
        {
          name: 'dma-throttle withMapping(2048, true, fn), budget 16',
          batch: TASKS,
          fn: () => runAll(() => dma.withMapping(2048, true, work)),
        },
        { name: 'p-limit(16) limit(fn)', batch: TASKS, fn: () => runAll(() => limit(work)) },
        { name: 'dma-throttle map + await + unmap, budget 16', batch: TASKS, fn: () => runAll(dmaTask) },
      ],
      options,
    )
    const [mr, m, f] = await compare(
      [
        {
          name: 'reference: minimal FIFO limiter(16), run(fn)',
          batch: TASKS,
          fn: () => runAll(() => minimal.run(1, work)),
        },
        {
          name: 'reference: minimal FIFO limiter(16), acquire + await + release',
          batch: TASKS,
          fn: () => runAll(minimalTask),
        },
        { name: 'reference: floor, no limiter', batch: TASKS, fn: () => runAll(floorTask) },
      ],
      options,
    )
    const s = dma.stats()
    if (s.hiwater > 16 || s.used !== 0) throw new Error(`contended: hiwater ${s.hiwater}, used ${s.used}`)
    return result({
      id: this.id,
      title: '10,000 tasks through a budget of 16 mappings vs p-limit(16)',
      metric: 'p-limit ns/task ÷ dma-throttle ns/task, one-call forms',
      unit: '×',
      target: { kind: 'min', value: 2 },
      value: p!.nsPerOp / d!.nsPerOp,
      raw: rawRows([d!, p!, dm!, mr!, m!, f!], 'ns/task'),
      notes: [
        "size '256K' (128 slots), throttle { high: 0.125 }: floor(0.125 × 128) = 16 one-slot mappings",
        'headline, like with like: `dma.withMapping(2048, true, work)` against `limit(work)`, `work = async () => { await null }`',
        `the manual form (\`const m = await dma.map(2048, true); await null; m.unmap()\`, a suspended async frame per waiting task) against limit(work): ${fmt(p!.nsPerOp / dm!.nsPerOp)}×`,
        `references (see bench/throttle/reference.ts): p-limit ÷ a minimal limiter's run(fn) = ${fmt(p!.nsPerOp / mr!.nsPerOp)}×, ÷ its manual form = ${fmt(p!.nsPerOp / m!.nsPerOp)}×: the most a limiter can show here, with nothing but a counter and a queue`,
        `checked after the run: hiwater ${s.hiwater} slots, all released`,
        'where the time goes, and what a task here pays that a bare counter does not: docs/performance.md',
      ],
    })
  },
}

/** 10,000 requests of 1..32 slots through a budget of 256 slots vs a weighted async-mutex Semaphore. */
export const weighted: BenchCase = {
  id: 'weighted',
  async run(options) {
    const weights = Array.from({ length: TASKS }, (_, i) => 1 + ((i * 7919 + 13) % 32))
    // 1024 slots × high 0.25 = a blocking budget of 256 slots.
    const dma = new lib.Swiotlb({ size: '2M', backing: false, throttle: { high: 0.25 } })
    const budget = dma.stats().throttle.budget
    if (budget !== 256) throw new Error(`weighted: expected a budget of 256 slots, got ${budget}`)
    const dmaTask = async (slots: number): Promise<void> => {
      const m = await dma.map(slots * 2048, true)
      await null
      m.unmap()
    }
    const sem = new Semaphore(256)
    const semTask = async (weight: number): Promise<void> => {
      const [, release] = await sem.acquire(weight)
      await null
      release()
    }
    const minimal = new MinimalLimiter(256)
    const minimalTask = async (weight: number): Promise<void> => {
      const n = await minimal.acquire(weight)
      await null
      minimal.release(n)
    }
    const [d, r, dm, s] = await compare(
      [
        {
          name: 'dma-throttle withMapping(w × 2048, true, fn), budget 256 slots',
          batch: TASKS,
          fn: () => runAll((i) => dma.withMapping(weights[i]! * 2048, true, work)),
        },
        {
          name: 'async-mutex Semaphore(256) runExclusive(fn, w)',
          batch: TASKS,
          fn: () => runAll((i) => sem.runExclusive(work, weights[i]!)),
        },
        {
          name: 'dma-throttle map + await + unmap, budget 256 slots',
          batch: TASKS,
          fn: () => runAll((i) => dmaTask(weights[i]!)),
        },
        {
          name: 'async-mutex Semaphore(256) acquire(w) + await + release',
          batch: TASKS,
          fn: () => runAll((i) => semTask(weights[i]!)),
        },
      ],
      options,
    )
    const [mr, m, f] = await compare(
      [
        {
          name: 'reference: minimal FIFO limiter(256), run(w, fn)',
          batch: TASKS,
          fn: () => runAll((i) => minimal.run(weights[i]!, work)),
        },
        {
          name: 'reference: minimal FIFO limiter(256), acquire + await + release',
          batch: TASKS,
          fn: () => runAll((i) => minimalTask(weights[i]!)),
        },
        { name: 'reference: floor, no limiter', batch: TASKS, fn: () => runAll(floorTask) },
      ],
      options,
    )
    const st = dma.stats()
    if (st.throttle.blockingUsed !== 0) throw new Error('weighted: budget not released')
    return result({
      id: this.id,
      title: '10,000 weighted requests (1..32 slots, budget 256) vs async-mutex Semaphore(256)',
      metric: 'async-mutex ns/task ÷ dma-throttle ns/task, one-call forms',
      unit: '×',
      target: { kind: 'min', value: 3 },
      value: r!.nsPerOp / d!.nsPerOp,
      raw: rawRows([d!, r!, dm!, s!, mr!, m!, f!], 'ns/task'),
      notes: [
        `size '2M' (1024 slots), throttle { high: 0.25 }: budget 256 slots; request i maps (1 + (7919i + 13) mod 32) × 2048 bytes; mean ${fmt(weights.reduce((a, b) => a + b, 0) / TASKS)} slots`,
        "headline, like with like: `dma.withMapping(w × 2048, true, work)` against `sem.runExclusive(work, w)`, each library's one-call form; the form whose rate matches the published async-mutex weighted anchor (≈ 146k tasks/s)",
        `manual forms, like with like: map + unmap against acquire + release = ${fmt(s!.nsPerOp / dm!.nsPerOp)}× (target not met: see docs/performance.md)`,
        `references: Semaphore acquire/release ÷ a minimal limiter's manual form = ${fmt(s!.nsPerOp / m!.nsPerOp)}×, about the most a limiter with one promise per waiter can show against it; runExclusive ÷ a minimal run(w, fn) = ${fmt(r!.nsPerOp / mr!.nsPerOp)}×`,
      ],
    })
  },
}

function runAll(task: (i: number) => Promise<unknown>): Promise<unknown> {
  const all = new Array<Promise<unknown>>(TASKS)
  for (let i = 0; i < TASKS; i++) all[i] = task(i)
  return Promise.all(all)
}

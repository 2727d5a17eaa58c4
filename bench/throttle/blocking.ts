import { Mutex, Semaphore } from 'async-mutex'
import pLimit from 'p-limit'
import { type BenchCase, result } from '../case.js'
import { compare, fmt, rawRows, spreadOf } from '../harness.js'
import { lib } from '../lib.js'
import { floorTask, MinimalLimiter } from './reference.js'

const TASKS = 10_000

/**
 * The work every task does while it holds its budget, the same function on every side: one microtask.
 * Every contender awaits `work()` itself (p-limit's `limit(work)` and Semaphore's `runExclusive(work)`
 * call it; the manual forms write `await work()`), so no side saves the cost of a call and its promise.
 */
const work = async (): Promise<void> => {
  await null
}

/**
 * Uncontended blocking map + unmap against async-mutex's fastest uncontended form: `Semaphore.acquire()`
 * (a plain function returning `new Promise`) + release. `Mutex.acquire` is kept as an extra row: it is
 * an `async` wrapper around the same Semaphore, compiled down to `__awaiter`, so it is the slower form.
 */
export const uncontended: BenchCase = {
  id: 'uncontended',
  async run(options) {
    const batch = 1000
    const dma = new lib.Swiotlb({ backing: false })
    // Semaphore(1): its release walks the weights from its value down to 1 (`_drainUnlockWaiters`),
    // O(n) per release, so the smallest n is its fastest uncontended form (n = this budget, 26,214
    // slots, measured ~200 µs an op).
    const sem = new Semaphore(1)
    const mutex = new Mutex()
    // The floor of any map that returns a promise of a mapping: awaiting a promise fulfilled with an
    // object (V8 looks up its `then`), with no work at all.
    const token = { addr: 0 }
    const [d, s, m, f] = await compare(
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
          name: 'async-mutex Semaphore(1) acquire() + release (anchor)',
          batch,
          fn: async () => {
            for (let i = 0; i < batch; i++) {
              const [, release] = await sem.acquire()
              release()
            }
          },
        },
        {
          name: 'async-mutex Mutex acquire() + release',
          batch,
          fn: async () => {
            for (let i = 0; i < batch; i++) {
              const release = await mutex.acquire()
              release()
            }
          },
        },
        {
          name: 'reference: floor, await Promise.resolve(object), no work',
          batch,
          fn: async () => {
            for (let i = 0; i < batch; i++) await Promise.resolve(token)
          },
        },
      ],
      options,
    )
    return result({
      id: this.id,
      title: 'uncontended blocking map(4096, true) + unmap vs async-mutex Semaphore(1) acquire/release',
      metric: 'Semaphore acquire+release ns/op ÷ dma-throttle map+unmap ns/op',
      unit: '×',
      target: { kind: 'min', value: 1 },
      value: s!.nsPerOp / d!.nsPerOp,
      spread: spreadOf(s!, d!),
      raw: rawRows([d!, s!, m!, f!]),
      notes: [
        'backing: false, default 64 MiB pool and throttle; each op awaits its map; Semaphore(1), its fastest n: `release` walks the weights from its value down to 1, so a Semaphore sized like this budget (26,214 slots) costs ~200 µs an op',
        `slower form kept as a row: Mutex acquire + release ÷ dma-throttle = ${fmt(m!.nsPerOp / d!.nsPerOp)}×`,
        `the floor (an await of a promise fulfilled with an object, which any promise-returning map pays) is ${fmt(f!.nsPerOp / s!.nsPerOp)}× the anchor's whole acquire + release; dma-throttle's work above the floor: ${fmt(d!.nsPerOp - f!.nsPerOp)} ns/op`,
      ],
    })
  },
}

/**
 * 10,000 tasks through 16 mappings of budget, each holding its mapping across `await work()`. Two
 * headlines from one interleaved comparison: the manual form and withMapping, each against p-limit's
 * `limit(work)` (p-limit has one form). Semaphore(16) acquire + release is an extra row.
 */
export const contended: BenchCase = {
  id: 'contended',
  alsoReports: ['contended-manual'],
  async run(options) {
    // 128 slots × high 0.125 = a blocking budget of exactly 16 one-slot (2048-byte) mappings.
    const dma = new lib.Swiotlb({ size: '256K', backing: false, throttle: { high: 0.125 } })
    const budget = dma.stats().throttle.budget
    if (budget !== 16) throw new Error(`contended: expected a budget of 16 slots, got ${budget}`)
    const dmaTask = async (): Promise<void> => {
      const m = await dma.map(2048, true)
      await work()
      m.unmap()
    }
    const limit = pLimit(16)
    const sem = new Semaphore(16)
    const semTask = async (): Promise<void> => {
      const [, release] = await sem.acquire()
      await work()
      release()
    }
    const minimal = new MinimalLimiter(16)
    const minimalTask = async (): Promise<void> => {
      const n = await minimal.acquire(1)
      await work()
      minimal.release(n)
    }
    const [d, p, dm, s] = await compare(
      [
        {
          name: 'dma-throttle withMapping(2048, true, work), budget 16',
          batch: TASKS,
          fn: () => runAll(() => dma.withMapping(2048, true, work)),
        },
        { name: 'p-limit(16) limit(work) (anchor)', batch: TASKS, fn: () => runAll(() => limit(work)) },
        {
          name: 'dma-throttle map + await work() + unmap, budget 16',
          batch: TASKS,
          fn: () => runAll(dmaTask),
        },
        {
          name: 'async-mutex Semaphore(16) acquire() + await work() + release',
          batch: TASKS,
          fn: () => runAll(semTask),
        },
      ],
      { ...options, shiftPhase: true },
    )
    const [mr, m, f] = await compare(
      [
        {
          name: 'reference: minimal FIFO limiter(16), run(work)',
          batch: TASKS,
          fn: () => runAll(() => minimal.run(1, work)),
        },
        {
          name: 'reference: minimal FIFO limiter(16), acquire + await work() + release',
          batch: TASKS,
          fn: () => runAll(minimalTask),
        },
        { name: 'reference: floor, no limiter', batch: TASKS, fn: () => runAll(floorTask) },
      ],
      { ...options, shiftPhase: true },
    )
    const st = dma.stats()
    if (st.hiwater > 16 || st.used !== 0) throw new Error(`contended: hiwater ${st.hiwater}, used ${st.used}`)
    const raw = rawRows([d!, p!, dm!, s!, mr!, m!, f!], 'ns/task')
    const setup = [
      "size '256K' (128 slots), throttle { high: 0.125 }: floor(0.125 × 128) = 16 one-slot mappings",
      'identical work on every side: `work = async () => { await null }`, awaited by each task (`limit(work)` awaits it inside p-limit)',
      'each timed batch follows a seeded random amount of short-lived garbage (untimed), so that scavenges fall at a random point of it rather than at the same point of every batch (docs/performance.md, "A benchmark artefact")',
      `checked after the run: hiwater ${st.hiwater} slots, all released`,
    ]
    const refs = `references (bench/throttle/reference.ts): p-limit ÷ a minimal limiter's run(work) = ${fmt(p!.nsPerOp / mr!.nsPerOp)}×, ÷ its manual form = ${fmt(p!.nsPerOp / m!.nsPerOp)}×: the most a limiter with nothing but a counter and a queue shows here`
    return [
      result({
        id: 'contended-manual',
        title: '10,000 tasks through 16 in flight, manual map + await work() + unmap vs p-limit(16)',
        metric: 'p-limit ns/task ÷ dma-throttle manual-form ns/task',
        unit: '×',
        target: { kind: 'min', value: 1.5 },
        value: p!.nsPerOp / dm!.nsPerOp,
        spread: spreadOf(p!, dm!),
        raw: [raw[2]!, raw[1]!, raw[3]!],
        notes: [
          ...setup,
          'the manual form: `const m = await dma.map(2048, true); await work(); m.unmap()`, a suspended async frame per waiting task',
          `Semaphore(16) acquire + await work() + release ÷ dma-throttle manual form = ${fmt(s!.nsPerOp / dm!.nsPerOp)}×`,
          refs,
        ],
      }),
      result({
        id: this.id,
        title: '10,000 tasks through 16 in flight, withMapping vs p-limit(16)',
        metric: 'p-limit ns/task ÷ dma-throttle withMapping ns/task',
        unit: '×',
        target: { kind: 'min', value: 2.5 },
        value: p!.nsPerOp / d!.nsPerOp,
        spread: spreadOf(p!, d!),
        raw,
        notes: [
          ...setup,
          'like with like: `dma.withMapping(2048, true, work)` against `limit(work)`, each library’s one-call form',
          refs,
          'where the time goes, and what a task here pays that a bare counter does not: docs/performance.md',
        ],
      }),
    ]
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
      await work()
      m.unmap()
    }
    const sem = new Semaphore(256)
    const semTask = async (weight: number): Promise<void> => {
      const [, release] = await sem.acquire(weight)
      await work()
      release()
    }
    const minimal = new MinimalLimiter(256)
    const minimalTask = async (weight: number): Promise<void> => {
      const n = await minimal.acquire(weight)
      await work()
      minimal.release(n)
    }
    const [dm, s, d, r] = await compare(
      [
        {
          name: 'dma-throttle map + await work() + unmap, budget 256 slots',
          batch: TASKS,
          fn: () => runAll((i) => dmaTask(weights[i]!)),
        },
        {
          name: 'async-mutex Semaphore(256) acquire(w) + await work() + release (anchor)',
          batch: TASKS,
          fn: () => runAll((i) => semTask(weights[i]!)),
        },
        {
          name: 'dma-throttle withMapping(w × 2048, true, work), budget 256 slots',
          batch: TASKS,
          fn: () => runAll((i) => dma.withMapping(weights[i]! * 2048, true, work)),
        },
        {
          name: 'async-mutex Semaphore(256) runExclusive(work, w)',
          batch: TASKS,
          fn: () => runAll((i) => sem.runExclusive(work, weights[i]!)),
        },
      ],
      { ...options, shiftPhase: true },
    )
    const [mr, m, f] = await compare(
      [
        {
          name: 'reference: minimal FIFO limiter(256), run(w, work)',
          batch: TASKS,
          fn: () => runAll((i) => minimal.run(weights[i]!, work)),
        },
        {
          name: 'reference: minimal FIFO limiter(256), acquire + await work() + release',
          batch: TASKS,
          fn: () => runAll((i) => minimalTask(weights[i]!)),
        },
        { name: 'reference: floor, no limiter', batch: TASKS, fn: () => runAll(floorTask) },
      ],
      { ...options, shiftPhase: true },
    )
    const st = dma.stats()
    if (st.throttle.blockingUsed !== 0) throw new Error('weighted: budget not released')
    return result({
      id: this.id,
      title:
        '10,000 weighted requests (1..32 slots, budget 256), manual form vs Semaphore(256) acquire(w)/release',
      metric: 'Semaphore acquire(w)+release ns/task ÷ dma-throttle map+unmap ns/task',
      unit: '×',
      target: { kind: 'min', value: 1 },
      value: s!.nsPerOp / dm!.nsPerOp,
      spread: spreadOf(s!, dm!),
      raw: rawRows([dm!, s!, d!, r!, mr!, m!, f!], 'ns/task'),
      notes: [
        `size '2M' (1024 slots), throttle { high: 0.25 }: budget 256 slots; request i maps (1 + (7919i + 13) mod 32) × 2048 bytes; mean ${fmt(weights.reduce((a, b) => a + b, 0) / TASKS)} slots`,
        'like with like, manual forms with identical work: `await dma.map(w × 2048, true); await work(); m.unmap()` against `await sem.acquire(w); await work(); release()`',
        'each timed batch follows a seeded random amount of short-lived garbage (untimed): scavenges fall at a random point of it',
        `one-call forms, extra rows: runExclusive(work, w) ÷ withMapping = ${fmt(r!.nsPerOp / d!.nsPerOp)}× (runExclusive is an \`async\` wrapper around acquire, so the slower Semaphore form)`,
        `references: Semaphore acquire/release ÷ a minimal limiter's manual form = ${fmt(s!.nsPerOp / m!.nsPerOp)}×, about the most a limiter with one promise per waiter can show against it; runExclusive ÷ a minimal run(w, work) = ${fmt(r!.nsPerOp / mr!.nsPerOp)}×`,
      ],
    })
  },
}

function runAll(task: (i: number) => Promise<unknown>): Promise<unknown> {
  const all = new Array<Promise<unknown>>(TASKS)
  for (let i = 0; i < TASKS; i++) all[i] = task(i)
  return Promise.all(all)
}

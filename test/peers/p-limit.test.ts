import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it } from 'vitest'
import {
  ArgumentRangeError,
  ArgumentTypeError,
  Swiotlb,
  VirtualClock,
  WaitCancelledError,
} from '../../src/index.js'
import { delay, pLimit, record, UNIT } from './adapter.js'

// p-limit's own test suite (sindresorhus/p-limit test.js, 7.3.1), its behaviours re-tested on
// dma-throttle through test/peers/adapter.ts: `limit(fn)` is withMapping of one unit of a budget of
// `concurrency` units. Time is virtual: durations are exact, not ranges.

/** A seeded generator for the "random" durations of the concurrency tests (mulberry32). */
function rng(seed: number): (min: number, max: number) => number {
  let a = seed
  return (min, max) => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return min + Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * (max - min + 1))
  }
}

describe('p-limit test.js, ported', () => {
  it("'concurrency: 1': tasks run one after another, in order, 600 ms in all", async () => {
    const limit = pLimit(1)
    const { clock } = limit
    const input = [
      [10, 300],
      [20, 200],
      [30, 100],
    ] as const
    const done: string[] = []
    const all = Promise.all(
      input.map(([value, ms]) =>
        limit(async () => {
          await delay(clock, ms)
          done.push(`${value}@${clock.now()}`)
          return value
        }),
      ),
    )
    await clock.runAll()
    expect(await all).toEqual([10, 20, 30])
    // p-limit checks 590–650 ms of wall time; on virtual time the sum is exact.
    expect(done).toEqual(['10@300', '20@500', '30@600'])
  })

  it("'concurrency: 4': 100 tasks of random length never run more than 5 at once", async () => {
    const concurrency = 5
    const limit = pLimit(concurrency)
    const random = rng(4)
    let running = 0
    let most = 0
    const all = Promise.all(
      Array.from({ length: 100 }, () =>
        limit(async () => {
          running++
          most = Math.max(most, running)
          expect(running).toBeLessThanOrEqual(concurrency)
          expect(limit.activeCount).toBeLessThanOrEqual(concurrency)
          await delay(limit.clock, random(30, 200))
          running--
        }),
      ),
    )
    await limit.clock.runAll()
    await all
    expect(most).toBe(concurrency)
    expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0])
  })

  it("'propagates async execution context properly': 100 tasks, each in its own caller's context", async () => {
    const limit = pLimit(2)
    const store = new AsyncLocalStorage<{ id: number }>()
    const seen: Array<[number, number | undefined]> = []
    const checkId = async (id: number) => {
      await Promise.resolve()
      seen.push([id, store.getStore()?.id])
    }
    // With 2 in flight, 98 of the 100 are admitted inside another task's unmap (p-limit #83, p-queue #200).
    await Promise.all(Array.from({ length: 100 }, (_, id) => store.run({ id }, () => limit(checkId, id))))
    expect(seen).toHaveLength(100)
    expect(seen.filter(([id, got]) => id !== got)).toEqual([])
  })

  it("'propagates async execution context properly', admitted from a timer: the releaser's context never leaks", async () => {
    // Our variant: each task holds its unit for virtual time, so the next is admitted by an unmap that
    // runs after a clock timer, in whatever context that timer had.
    const limit = pLimit(3)
    const store = new AsyncLocalStorage<number>()
    const wrong: string[] = []
    const all = Promise.all(
      Array.from({ length: 100 }, (_, id) =>
        store.run(id, () =>
          limit(async () => {
            if (store.getStore() !== id) wrong.push(`${id} started in ${store.getStore()}`)
            await delay(limit.clock, 1 + (id % 7))
            if (store.getStore() !== id) wrong.push(`${id} resumed in ${store.getStore()}`)
          }),
        ),
      ),
    )
    await limit.clock.runAll()
    await all
    expect(wrong).toEqual([])
  })

  it("'non-promise returning function'", async () => {
    const limit = pLimit(1)
    await expect(limit(() => null)).resolves.toBeNull()
  })

  it("'continues after sync throw': the unit comes back and the next task runs", async () => {
    const limit = pLimit(1)
    let ran = false
    const error = new Error('err')
    const first = limit(() => {
      throw error
    })
    const second = limit(() => {
      ran = true
    })
    await expect(first).rejects.toBe(error)
    await second
    expect(ran).toBe(true)
    expect(limit.activeCount).toBe(0)
  })

  it("'accepts additional arguments'", async () => {
    const limit = pLimit(1)
    const symbol = Symbol('test')
    await expect(limit((a: symbol) => a, symbol)).resolves.toBe(symbol)
  })

  it("'shared context with a limited provider helper': activeCount 1, pendingCount 1", async () => {
    const limit = pLimit(1)
    const shared = { values: [] as string[] }
    const addValue = async (context: typeof shared, value: string) => {
      context.values.push(value)
      await delay(limit.clock, 10)
      return context.values.length
    }
    const first = limit(addValue, shared, 'first')
    const second = limit(addValue, shared, 'second')
    expect([limit.activeCount, limit.pendingCount]).toEqual([1, 1])
    await limit.clock.runAll()
    expect(await Promise.all([first, second])).toEqual([1, 2])
    expect(shared.values).toEqual(['first', 'second'])
  })

  it("'does not ignore errors'", async () => {
    const limit = pLimit(1)
    const { clock } = limit
    const error = new Error('🦄')
    const all = Promise.all([
      limit(() => delay(clock, 30)),
      limit(async () => {
        await delay(clock, 80)
        throw error
      }),
      limit(() => delay(clock, 50)),
    ])
    all.catch(() => {})
    await clock.runAll()
    await expect(all).rejects.toBe(error)
    expect(clock.now()).toBe(160)
  })

  it("'runs all tasks asynchronously': admitted at once, yet fn runs after the caller's frame", async () => {
    const limit = pLimit(3)
    let value = 1
    const one = limit(() => 1)
    const two = limit(() => value)
    expect(limit.activeCount).toBe(2)
    value = 2
    expect(await Promise.all([one, two])).toEqual([1, 2])
  })

  it("'activeCount and pendingCount properties'", async () => {
    const limit = pLimit(5)
    const { clock } = limit
    const counts = () => [limit.activeCount, limit.pendingCount]
    expect(counts()).toEqual([0, 0])
    const first = limit(() => delay(clock, 1000))
    expect(counts()).toEqual([1, 0])
    await clock.advanceBy(1000)
    await first
    expect(counts()).toEqual([0, 0])
    const immediate = Array.from({ length: 5 }, () => limit(() => delay(clock, 1000)))
    const delayed = Array.from({ length: 3 }, () => limit(() => delay(clock, 1000)))
    expect(counts()).toEqual([5, 3])
    await clock.advanceBy(1000)
    await Promise.all(immediate)
    expect(counts()).toEqual([3, 0])
    await clock.advanceBy(1000)
    await Promise.all(delayed)
    expect(counts()).toEqual([0, 0])
  })

  it("'clearQueue': empties the queue; we differ: the cleared calls reject instead of hanging", async () => {
    // p-limit's default clearQueue() drops queued calls whose promises then never settle; ours rejects
    // each (as p-limit's `rejectOnClear: true` does), so no caller awaits for ever.
    const limit = pLimit(1)
    const log: string[] = []
    record(
      log,
      'running',
      limit(() => delay(limit.clock, 1000)),
    )
    for (const i of [1, 2, 3])
      record(
        log,
        `queued${i}`,
        limit(() => i),
      )
    await limit.clock.advanceBy(0)
    expect(limit.pendingCount).toBe(3)
    expect(limit.clearQueue()).toBe(3)
    expect(limit.pendingCount).toBe(0)
    await limit.clock.runAll()
    expect(log).toEqual([
      'queued1 AbortError ERR_WAIT_CANCELLED',
      'queued2 AbortError ERR_WAIT_CANCELLED',
      'queued3 AbortError ERR_WAIT_CANCELLED',
      'running ok',
    ])
  })

  it("'clearQueue rejects pending promises when enabled': an AbortError, the running task untouched", async () => {
    const limit = pLimit(1)
    const running = limit(() => delay(limit.clock, 100))
    const pendingOne = limit(() => delay(limit.clock, 10))
    const pendingTwo = limit(() => delay(limit.clock, 10))
    expect(limit.pendingCount).toBe(2)
    limit.clearQueue()
    expect(limit.pendingCount).toBe(0)
    await expect(pendingOne).rejects.toMatchObject({ name: 'AbortError', code: 'ERR_WAIT_CANCELLED' })
    await expect(pendingTwo).rejects.toBeInstanceOf(WaitCancelledError)
    await limit.clock.runAll()
    await running
    expect(limit.clock.now()).toBe(100)
  })

  it("'throws on invalid concurrency argument': a budget that is not whole slots of the pool is refused", () => {
    const clock = new VirtualClock()
    const make = (budgetBytes: unknown) =>
      new Swiotlb({
        size: '256K',
        backing: false,
        clock,
        throttle: { budgetBytes } as { budgetBytes: number },
      })
    expect(() => make(0)).toThrow(ArgumentRangeError)
    expect(() => make(-UNIT)).toThrow(/got -2048 \(number\)/)
    expect(() => make(1.2 * UNIT)).toThrow(/got 2457\.6 \(number\)/)
    expect(() => make(true)).toThrow(ArgumentTypeError)
    expect(() => make(129 * UNIT)).toThrow(ArgumentRangeError) // more than the pool's 128 slots
    // p-limit refuses pLimit(undefined); here no budgetBytes means the default budget (high 0.7).
    expect(make(undefined).stats().throttle.budget).toBe(89)
    // The setter (setThrottle) refuses the same values and changes nothing.
    const limit = pLimit(2)
    expect(() => {
      limit.concurrency = 0
    }).toThrow(ArgumentRangeError)
    expect(limit.concurrency).toBe(2)
  })

  for (const [from, to, expected] of [
    [4, 2, [1, 2, 3, 4, 2, 2, 2, 2, 2, 2]],
    [2, 4, [1, 2, 3, 4, 4, 4, 4, 4, 4, 4]],
  ] as const) {
    it(`'change concurrency to ${to < from ? 'smaller' : 'bigger'} value' (${from} → ${to})`, async () => {
      const limit = pLimit(from)
      const { clock } = limit
      let running = 0
      const log: number[] = []
      const all = Promise.all(
        Array.from({ length: 10 }, () =>
          limit(async () => {
            log.push(++running)
            await delay(clock, 50)
            --running
          }),
        ),
      )
      await clock.advanceBy(0)
      expect(running).toBe(from)
      limit.concurrency = to
      await clock.runAll()
      await all
      expect(log).toEqual(expected)
    })
  }

  // Not ported: 'map…' and 'limitFunction()' test p-limit's helpers around limit(fn), not the limiter
  // itself; 'accepts options object' tests its constructor's spelling.
})

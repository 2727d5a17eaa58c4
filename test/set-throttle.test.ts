import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentRangeError, ArgumentTypeError, type Mapping } from '../src/index.js'
import { testPool } from './helpers/pools.js'
import { SLOT } from './helpers/throttle-harness.js'

/** 1 MiB (512 slots), accounting only; high 0.25: a blocking budget of 128 slots. */
const POOL = { size: '1M', backing: false, throttle: { high: 0.25, low: 0.2 } } as const

describe('setThrottle', () => {
  it('a smaller budget revokes nothing and admits nobody until usage is below it', async () => {
    const { clock, dma } = testPool(POOL)
    const held = [await dma.map(64 * SLOT, true), await dma.map(64 * SLOT, true)]
    const log: string[] = []
    const waiting = dma.map(32 * SLOT, true).then((m) => {
      log.push(`mapped @${clock.now()}`)
      return m
    })
    dma.setThrottle({ high: 0.125 }) // 64 slots
    expect(dma.options.throttle).toMatchObject({ high: 0.125, low: 0.125 })
    expect(dma.stats().throttle.blockingUsed).toBe(128)
    expect(held.every((m) => m.live)).toBe(true)
    await clock.advanceBy(1)
    held[0]!.unmap() // 64 used: 64 + 32 > 64, still waiting
    await clock.advanceBy(1)
    expect(log).toEqual([])
    held[1]!.unmap()
    const m = await waiting
    expect(log).toEqual(['mapped @2'])
    m.unmap()
  })

  it('a larger budget admits the waiters it lets in at once, in arrival order', async () => {
    const { clock, dma } = testPool(POOL)
    const hold = await dma.map(128 * SLOT, true)
    const order: number[] = []
    const waits = [64, 32, 64, 16].map((n, i) =>
      dma.map(n * SLOT, true).then((m) => {
        order.push(i)
        return m
      }),
    )
    dma.setThrottle({ high: 0.5 }) // 256 slots: 128 held + 64 + 32 fit, the next 64 does not
    expect(dma.stats().throttle.waiting).toBe(2)
    await clock.advanceBy(0)
    expect(order).toEqual([0, 1])
    dma.setThrottle({ high: 1 })
    await clock.advanceBy(0)
    expect(order).toEqual([0, 1, 2, 3])
    hold.unmap()
    for (const m of await Promise.all(waits)) m.unmap()
    expect(dma.stats().used).toBe(0)
  })

  it('refuses bad input with a coded error naming the value, and changes nothing', () => {
    const { dma } = testPool(POOL)
    const cases: Array<[unknown, typeof ArgumentTypeError | typeof ArgumentRangeError, RegExp]> = [
      [undefined, ArgumentTypeError, /got undefined/],
      [{ high: 1.2 }, ArgumentRangeError, /throttle\.high.*got 1\.2 \(number\)/],
      [{ high: 0 }, ArgumentRangeError, /got 0 \(number\)/],
      [{ high: '0.5' }, ArgumentTypeError, /got "0\.5" \(string\)/],
      [{ high: Number.NaN }, ArgumentRangeError, /got NaN/],
      [{ low: 0.5 }, ArgumentRangeError, /throttle\.low.*at most throttle\.high \(0\.25\).*0\.5/],
      [{ mode: 'serialize' }, ArgumentRangeError, /"mode"/],
    ]
    for (const [arg, kind, message] of cases) {
      expect(() => dma.setThrottle(arg as { high: number })).toThrow(kind)
      expect(() => dma.setThrottle(arg as { high: number })).toThrow(message)
      expect(dma.options.throttle).toMatchObject({ high: 0.25, low: 0.2 })
    }
    const { dma: plain } = testPool({ backing: false, throttle: false })
    expect(() => plain.setThrottle({ high: 0.5 })).toThrow(ArgumentRangeError)
  })

  it('keeps blocking usage within the budget in force at each admission, whatever the retunes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('map' as const), slots: fc.integer({ min: 1, max: 64 }) }),
            fc.record({ op: fc.constant('unmap' as const), at: fc.nat() }),
            fc.record({ op: fc.constant('retune' as const), eighths: fc.integer({ min: 1, max: 8 }) }),
          ),
          { maxLength: 40 },
        ),
        async (ops) => {
          const { clock, dma } = testPool(POOL)
          const live: Mapping[] = []
          let budget = 128
          let arrivals = 0
          const admittedOrder: number[] = []
          for (const op of ops) {
            if (op.op === 'map') {
              const id = arrivals++
              void dma.map(op.slots * SLOT, true).then((m) => {
                admittedOrder.push(id)
                live.push(m)
              })
            } else if (op.op === 'unmap') {
              if (live.length > 0) live.splice(op.at % live.length, 1)[0]!.unmap()
            } else {
              budget = Math.floor((op.eighths / 8) * 512)
              dma.setThrottle({ high: op.eighths / 8 })
            }
            const before = dma.stats().throttle.blockingUsed
            await clock.advanceBy(0)
            const after = dma.stats().throttle.blockingUsed
            // Usage grows only by admissions, and each fits the budget in force (a smaller one revokes nothing).
            if (after > before) expect(after).toBeLessThanOrEqual(budget)
          }
          // FIFO: admitted in arrival order.
          expect(admittedOrder).toEqual([...admittedOrder].sort((a, b) => a - b))
          dma.setThrottle({ high: 1 })
          while (live.length > 0) live.pop()!.unmap()
          await clock.advanceBy(0)
          while (live.length > 0) live.pop()!.unmap()
          expect(dma.stats().throttle.waiting).toBe(0)
          expect(admittedOrder).toHaveLength(arrivals)
        },
      ),
      { numRuns: 100 },
    )
  })
})

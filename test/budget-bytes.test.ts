import { describe, expect, it } from 'vitest'
import {
  ArgumentRangeError,
  ArgumentTypeError,
  Swiotlb,
  type SwiotlbOptions,
  VirtualClock,
} from '../src/index.js'
import { testPool } from './helpers/pools.js'
import { SLOT } from './helpers/throttle-harness.js'

describe('throttle.budgetBytes', () => {
  it('is the blocking budget in bytes, rounded down to whole slots', async () => {
    const { clock, dma } = testPool({
      size: '1M',
      backing: false,
      throttle: { budgetBytes: 16 * SLOT + 100 },
    })
    const a = await dma.map(16 * SLOT, true)
    let b = false
    const next = dma.map(1, true).then((m) => {
      b = true
      return m
    })
    await clock.advanceBy(0)
    expect(b).toBe(false)
    expect(dma.stats().throttle.blockingUsed).toBe(16)
    a.unmap()
    ;(await next).unmap()
    expect(b).toBe(true)
  })

  it('can be set at run time, and back to a fraction', async () => {
    const { clock, dma } = testPool({ size: '1M', backing: false, throttle: { high: 0.25 } })
    const a = await dma.map(120 * SLOT, true)
    const waits = [dma.map(10 * SLOT, true), dma.map(10 * SLOT, true)]
    await clock.advanceBy(0)
    expect(dma.stats().throttle.waiting).toBe(2)
    dma.setThrottle({ budgetBytes: 140 * SLOT })
    await clock.advanceBy(0)
    expect(dma.stats().throttle.waiting).toBe(0)
    dma.setThrottle({ high: 0.25 })
    expect(dma.stats().throttle.blockingUsed).toBe(140)
    a.unmap()
    for (const w of waits) (await w).unmap()
  })

  it("in 'serialize' mode, is the RFC's high mark in bytes, which stays put as the pool grows", async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '1M', // 512 slots
      backing: false,
      clock,
      throttle: { mode: 'serialize', budgetBytes: 256 * SLOT },
      growth: { waitMs: 1, chunkBytes: '1M', maxBytes: '2M' },
    })
    const fill = [0, 1, 2, 3].map(() => dma.tryMap(128 * SLOT)!)
    // 512 slots used, above the mark: throttled, it holds the semaphore until growth makes room.
    const first = dma.map(SLOT, true)
    await clock.advanceBy(10)
    ;(await first).unmap()
    expect(dma.stats()).toMatchObject({ nslabs: 1024, throttle: { highCount: 1 } })
    fill[0]!.unmap()
    // 384 slots used: above 256 slots, the mark given in bytes, though below half of the grown pool.
    ;(await dma.map(SLOT, true)).unmap()
    expect(dma.stats().throttle.highCount).toBe(2)
    // A fraction given instead follows capacity: 384 is not above half of 1024 slots.
    dma.setThrottle({ high: 0.5 })
    ;(await dma.map(SLOT, true)).unmap()
    expect(dma.stats().throttle.highCount).toBe(2)
    for (const m of fill.slice(1)) m.unmap()
  })

  it('refuses a bad budget, high with budgetBytes, and throttle: true, naming the value', () => {
    const bad: Array<[unknown, RegExp, typeof ArgumentRangeError | typeof ArgumentTypeError]> = [
      [
        { budgetBytes: 1024 },
        /budgetBytes.*2048 to the pool's 1048576.*got 1024 \(number\)/,
        ArgumentRangeError,
      ],
      [{ budgetBytes: 2 * 1048576 }, /got 2097152/, ArgumentRangeError],
      [{ budgetBytes: 4096.5 }, /got 4096\.5/, ArgumentRangeError],
      [{ budgetBytes: '1M' }, /got "1M" \(string\)/, ArgumentTypeError],
      [{ budgetBytes: 4096, high: 0.5 }, /throttle\.high.*absent.*got 0\.5/, ArgumentRangeError],
      [{ high: 1.2 }, /throttle\.high.*got 1\.2/, ArgumentRangeError],
      [true, /got true \(boolean\)/, ArgumentTypeError],
    ]
    for (const [throttle, message, kind] of bad) {
      const options = { size: '1M', backing: false, throttle } as SwiotlbOptions
      expect(() => new Swiotlb(options)).toThrow(kind)
      expect(() => new Swiotlb(options)).toThrow(message)
    }
    const { dma } = testPool({ size: '1M', backing: false, throttle: { high: 0.25 } })
    expect(() => dma.setThrottle({ budgetBytes: 0 })).toThrow(/got 0 \(number\)/)
    expect(dma.options.throttle).toMatchObject({ high: 0.25 })
  })
})

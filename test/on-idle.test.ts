import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { ArgumentRangeError, ArgumentTypeError } from '../src/index.js'
import { testPool } from './helpers/pools.js'
import { SLOT } from './helpers/throttle-harness.js'

/** 1 MiB (512 slots), accounting only; high 0.25: a blocking budget of 128 slots. */
const POOL = { size: '1M', backing: false, throttle: { high: 0.25 } } as const

describe('onIdle and onQueueBelow', () => {
  it('onIdle resolves once nobody waits and no blocking mapping is live', async () => {
    const { clock, dma } = testPool(POOL)
    const log: string[] = []
    await dma.onIdle()
    const nonBlocking = dma.tryMap(SLOT)!
    await dma.onIdle() // non-blocking mappings do not count
    const a = await dma.map(128 * SLOT, true)
    const b = dma.map(64 * SLOT, true)
    void dma.onIdle().then(() => log.push(`idle @${clock.now()}`))
    await clock.advanceBy(5)
    a.unmap() // admits b: still busy
    await clock.advanceBy(5)
    expect(log).toEqual([])
    ;(await b).unmap()
    await clock.advanceBy(0)
    expect(log).toEqual(['idle @10'])
    nonBlocking.unmap()
  })

  it('onQueueBelow(n) resolves when fewer than n wait, in the order of the changes', async () => {
    const { clock, dma } = testPool(POOL)
    const hold = await dma.map(128 * SLOT, true)
    const waits = [1, 2, 3].map(() => dma.map(128 * SLOT, { mayBlock: true, timeoutMs: 10 }))
    for (const w of waits) w.catch(() => {})
    const log: string[] = []
    for (const n of [4, 3, 2, 1]) void dma.onQueueBelow(n).then(() => log.push(`below ${n} @${clock.now()}`))
    await clock.advanceBy(0)
    expect(log).toEqual(['below 4 @0'])
    hold.unmap() // admits the first: 2 wait
    await clock.advanceBy(0)
    expect(log).toEqual(['below 4 @0', 'below 3 @0'])
    await clock.advanceBy(10) // the other two time out
    expect(log).toEqual(['below 4 @0', 'below 3 @0', 'below 2 @10', 'below 1 @10'])
    ;(await waits[0]!).unmap()
  })

  it('rejects with the signal reason and leaves no listener; refuses bad input', async () => {
    const { clock, dma } = testPool(POOL)
    const hold = await dma.map(128 * SLOT, true)
    const ac = new AbortController()
    const idle = dma.onIdle(ac.signal)
    const below = dma.onQueueBelow(1, ac.signal)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    const reason = new Error('stop')
    ac.abort(reason)
    await expect(idle).rejects.toBe(reason)
    await expect(dma.onQueueBelow(1, ac.signal)).rejects.toBe(reason)
    await expect(below).resolves.toBeUndefined()
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
    await expect(dma.onQueueBelow(0)).rejects.toThrow(ArgumentRangeError)
    await expect(dma.onQueueBelow(1.5)).rejects.toThrow(/got 1\.5 \(number\)/)
    await expect(dma.onQueueBelow('2' as unknown as number)).rejects.toThrow(ArgumentTypeError)
    await expect(dma.onIdle({} as AbortSignal)).rejects.toThrow(ArgumentTypeError)
    const ac2 = new AbortController()
    const settled = dma.onIdle(ac2.signal)
    hold.unmap()
    await settled
    expect(getEventListeners(ac2.signal, 'abort')).toHaveLength(0)
    expect(clock.pendingTimers).toBe(0)
  })
})

import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it } from 'vitest'
import { testPool } from './helpers/pools.js'
import { SLOT } from './helpers/throttle-harness.js'

/** 1 MiB (512 slots), accounting only; high 0.25: a blocking budget of 128 slots. */
const POOL = { size: '1M', backing: false, throttle: { high: 0.25 } } as const

describe('withMapping: when and where the callback runs', () => {
  it('starts a callback admitted at once on a later microtask, never inside the caller frame', async () => {
    const { dma } = testPool(POOL)
    const log: string[] = []
    const blocking = dma.withMapping(SLOT, true, () => log.push('blocking runs'))
    const nonBlocking = dma.withMapping(SLOT, false, () => log.push('non-blocking runs'))
    log.push('caller returned')
    await Promise.all([blocking, nonBlocking])
    expect(log).toEqual(['caller returned', 'blocking runs', 'non-blocking runs'])
    expect(dma.stats().used).toBe(0)
  })

  it('runs each callback in its own caller async context, whoever admitted it', async () => {
    const { clock, dma } = testPool(POOL)
    const als = new AsyncLocalStorage<number>()
    const seen: Array<[number, number | undefined]> = []
    // Each call takes the whole budget: all but the first wait, and each is admitted by the unmap of
    // the previous one, inside another caller's context.
    const calls = Array.from({ length: 20 }, (_, i) =>
      als.run(i, () =>
        dma.withMapping(128 * SLOT, true, async () => {
          seen.push([i, als.getStore()])
          await clock.advanceBy(0)
          seen.push([i, als.getStore()])
        }),
      ),
    )
    expect(dma.stats().throttle.waiting).toBe(19)
    await Promise.all(calls)
    expect(seen).toEqual(
      Array.from({ length: 20 }, (_, i) => [
        [i, i],
        [i, i],
      ]).flat(),
    )
    expect(dma.stats().used).toBe(0)
  })

  it('does not run a callback in the context of the unmap that admitted it (map caller)', async () => {
    const { dma } = testPool(POOL)
    const als = new AsyncLocalStorage<string>()
    const held = await dma.map(128 * SLOT, true)
    const queued = als.run('waiter', () => dma.withMapping(SLOT, true, () => als.getStore()))
    als.run('releaser', () => held.unmap())
    expect(await queued).toBe('waiter')
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentRangeError, type Mapping, Swiotlb, SwiotlbFullError, VirtualClock } from '../src/index.js'

const SLOT = 2048

/**
 * Michael Kelley's RFC, patch 1 (swiotlb_tbl_map_single): a throttled request takes the semaphore
 * (down), then searches; when it finds no slots it gives the semaphore back (up) and returns
 * DMA_MAPPING_ERROR. An unthrottled request that finds no slots fails like any map.
 */
function rfc(whenFull: 'fail' | 'wait', high = 0.5, low = 0.4) {
  const clock = new VirtualClock()
  const dma = new Swiotlb({
    size: '1M',
    backing: false,
    clock,
    throttle: { mode: 'serialize', high, low, whenFull },
  })
  return { clock, dma }
}

const settled = <T>(p: Promise<T>) =>
  p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  )

describe("serialize with whenFull 'fail' (the RFC)", () => {
  it('fails a throttled request that then finds no slots, and gives the semaphore back', async () => {
    const { dma } = rfc('fail')
    const full = [0, 1, 2, 3].map(() => dma.tryMap(128 * SLOT)!) // non-blocking: the whole pool
    const a = settled(dma.map(SLOT, true)) // used > high: throttled, takes the semaphore, no slots
    const b = settled(dma.map(SLOT, true)) // the same, after a gave it back
    const [ra, rb] = await Promise.all([a, b])
    expect([ra.ok, rb.ok]).toEqual([false, false])
    expect(!ra.ok && ra.e).toBeInstanceOf(SwiotlbFullError)
    expect(!ra.ok && (ra.e as Error).message).toBe(
      'swiotlb buffer is full (sz: 2048 bytes), total 512 (slots), used 512 (slots)',
    )
    const s = dma.stats()
    expect([s.throttle.highCount, s.throttle.waiting, s.failures]).toEqual([2, 0, 2])
    // The semaphore is free: once room comes back, a throttled request maps.
    full[0]!.unmap()
    const m = await dma.map(SLOT, true)
    expect(m.slots).toBe(1)
  })

  it('fails an unthrottled request that finds no slots at once; wait keeps it waiting', async () => {
    const held = (dma: Swiotlb) =>
      [0, 1, 2].map(() => dma.tryMap(128 * SLOT)!).concat(dma.tryMap(100 * SLOT)!)
    const fail = rfc('fail', 1, 1)
    held(fail.dma) // 484 of 512 slots: under the high mark, but 64 slots do not fit
    await expect(fail.dma.map(64 * SLOT, true)).rejects.toBeInstanceOf(SwiotlbFullError)
    const wait = rfc('wait', 1, 1)
    const maps = held(wait.dma)
    let got: Mapping | undefined
    void wait.dma.map(64 * SLOT, true).then((m) => {
      got = m
    })
    await Promise.resolve()
    expect(got).toBeUndefined()
    maps[0]!.unmap()
    await Promise.resolve()
    expect(got?.slots).toBe(64)
  })

  it("is refused with any mode but 'serialize', and names a bad value", () => {
    expect(() => new Swiotlb({ size: '1M', throttle: { whenFull: 'fail' } })).toThrow(ArgumentRangeError)
    expect(
      () => new Swiotlb({ size: '1M', throttle: { mode: 'serialize', whenFull: 'never' as 'fail' } }),
    ).toThrow("'fail' or 'wait'")
    expect(new Swiotlb({ size: '1M', throttle: { mode: 'serialize' } }).options.throttle).toMatchObject({
      whenFull: 'wait',
    })
  })

  it('property: every blocking map settles; used = Σ live; all unmapped → nothing held, nobody waits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 128 }), fc.boolean(), fc.boolean()), { maxLength: 40 }),
        async (ops) => {
          const { dma } = rfc('fail')
          const live: Mapping[] = []
          const pending: Array<Promise<unknown>> = []
          for (const [slots, blocking, free] of ops) {
            if (free && live.length > 0) live.shift()!.unmap()
            if (blocking) {
              pending.push(
                dma.map(slots * SLOT, true).then(
                  (m) => live.push(m),
                  (e: unknown) => expect(e).toBeInstanceOf(SwiotlbFullError),
                ),
              )
            } else {
              const m = dma.tryMap(slots * SLOT)
              if (m !== undefined) live.push(m)
            }
            await Promise.resolve()
            expect(dma.stats().used).toBe(live.reduce((n, m) => n + m.slots, 0))
          }
          while (live.length > 0 || dma.stats().throttle.waiting > 0) {
            live.shift()?.unmap()
            await Promise.resolve()
            await Promise.resolve()
          }
          await Promise.all(pending)
          for (const m of live.splice(0)) m.unmap()
          const s = dma.stats()
          expect([s.used, s.liveMappings, s.throttle.waiting]).toEqual([0, 0, 0])
        },
      ),
    )
  })
})

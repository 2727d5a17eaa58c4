import { describe, expect, it } from 'vitest'
import { Swiotlb, VirtualClock } from '../src/index.js'

const SLOT = 2048
const KiB = 1024

/** What a promise settled with, read after the clock moved (undefined while it is pending). */
function outcome(p: Promise<unknown>): { value: unknown } {
  const o: { value: unknown } = { value: undefined }
  p.then(
    (v) => {
      o.value = v
    },
    (e: unknown) => {
      o.value = e
    },
  )
  return o
}

describe('the largest blocking budget under maxBytes', () => {
  // Growth adds whole chunks (api.md: "bytes per grow"), so the pool can reach the default pool plus
  // as many whole chunks as fit under maxBytes, not maxBytes itself. A request above the budget of
  // that capacity can never be admitted: api.md's error table refuses it as MappingTooLargeError.
  it('is a fraction of the default pool plus the whole chunks that fit, not of maxBytes', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '256K',
      backing: false,
      clock,
      throttle: { high: 0.5 },
      // 256 KiB + 256 KiB passes 400 KiB: no grow fits, the budget stays 64 slots for ever.
      growth: { waitMs: 1, chunkBytes: '256K', maxBytes: 400 * KiB },
    })
    const refused = outcome(dma.map(65 * SLOT, { mayBlock: true, timeoutMs: 1000 }))
    await clock.advanceBy(0)
    expect(refused.value).toMatchObject({
      code: 'ERR_MAPPING_TOO_LARGE',
      sizeBytes: 65 * SLOT,
      maxBytes: 64 * SLOT,
    })
    expect(dma.stats().throttle.waiting).toBe(0)
    const m = await dma.map(64 * SLOT, true)
    expect(m.slots).toBe(64)
    expect(clock.pendingTimers).toBe(0)
  })

  it('counts every whole chunk that fits: 256 KiB + 2 × 256 KiB under 800 KiB', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '256K',
      backing: false,
      clock,
      throttle: { high: 0.25 },
      growth: { waitMs: 1, chunkBytes: '256K', maxBytes: 800 * KiB },
    })
    // Reachable 384 slots: budget 96; maxBytes' 400 slots would say 100.
    const refused = outcome(dma.map(97 * SLOT, true))
    await clock.advanceBy(0)
    expect(refused.value).toMatchObject({ code: 'ERR_MAPPING_TOO_LARGE', maxBytes: 96 * SLOT })
    // Above the budget of 32 slots now: it waits 1 ms, then the pool grows twice, to 384 slots.
    const big = outcome(dma.map(96 * SLOT, true))
    await clock.advanceBy(1)
    expect(dma.stats()).toMatchObject({ nslabs: 384, growth: { grows: 2 }, throttle: { budget: 96 } })
    expect(big.value).toMatchObject({ slots: 96, waitedMs: 1 })
  })
})

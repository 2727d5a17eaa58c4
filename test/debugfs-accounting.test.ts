import { describe, expect, it } from 'vitest'
import { SLOT_SIZE } from '../src/allocator/layout.js'
import { Swiotlb, SwiotlbFullError, VirtualClock } from '../src/index.js'

/** A 128-slot pool that may add transient pools up to 384 KiB of pools in all, and never grows. */
function pool(): Swiotlb {
  return new Swiotlb({
    size: '256K',
    areas: 1,
    clock: new VirtualClock(),
    growth: { maxBytes: '384K', transient: true },
  })
}

const buf = (slots: number) => new Uint8Array(slots * SLOT_SIZE)

describe('"swiotlb buffer is full": used is mem_used() of a CONFIG_DEBUG_FS kernel', () => {
  it('counts the slots of live transient pools (total_used), total does not (mem->nslabs)', async () => {
    const dma = pool()
    const whole = await dma.map(buf(128), { mayBlock: false })
    const transient = await dma.map(buf(32), { mayBlock: false })
    expect(dma.stats().transientNslabs).toBe(32)
    const err = await dma.map(buf(64), { mayBlock: false }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SwiotlbFullError)
    const full = err as SwiotlbFullError
    expect([full.totalSlots, full.usedSlots]).toEqual([128, 160])
    expect(full.message).toBe(
      `swiotlb buffer is full (sz: ${64 * SLOT_SIZE} bytes), total 128 (slots), used 160 (slots)`,
    )
    dma.unmap(transient)
    dma.unmap(whole)
    dma.close()
  })

  it("the 'full' event carries the same numbers as the error", async () => {
    const dma = pool()
    const seen: Array<{ total: number; used: number }> = []
    const sub = dma.events$.subscribe((e) => {
      if (e.type === 'full') seen.push({ total: e.total, used: e.used })
    })
    const whole = await dma.map(buf(128), { mayBlock: false })
    const transient = await dma.map(buf(32), { mayBlock: false })
    expect(dma.tryMap(buf(64))).toBeUndefined()
    expect(seen).toEqual([{ total: 128, used: 160 }])
    sub.unsubscribe()
    dma.unmap(transient)
    dma.unmap(whole)
    dma.close()
  })
})

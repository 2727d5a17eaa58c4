import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ArgumentRangeError,
  ArgumentTypeError,
  atomicPoolBytesFor,
  type GrowthOptions,
  Swiotlb,
  VirtualClock,
} from '../src/index.js'

const SLOT = 2048
const KiB = 1024

/**
 * Mainline SWIOTLB_DYNAMIC (kernel/dma/swiotlb.c: swiotlb_find_slots, swiotlb_dyn_alloc,
 * add_mem_pool; kernel/dma/pool.c): the worker is scheduled when a search fails, a new pool is searched
 * first, and a transient pool comes from the atomic DMA pools, which refuse when spent.
 */
function mainline(growth: GrowthOptions = {}) {
  const clock = new VirtualClock()
  const dma = new Swiotlb({
    size: '1M',
    backing: false,
    clock,
    throttle: false,
    growth: { background: { onFailure: true }, searchOrder: 'newest-first', chunkBytes: '1M', ...growth },
  })
  const log: string[] = []
  dma.events$.subscribe((e) => {
    if (e.type !== 'map' && e.type !== 'unmap' && e.type !== 'full') log.push(`${e.type}@${e.at}`)
  })
  return { clock, dma, log }
}

describe('mainline dynamic growth', () => {
  it('schedules the worker when a search fails, not at a usage mark', async () => {
    const { clock, dma, log } = mainline({ cost: { fixedMs: 1 } })
    const held = [0, 1, 2, 3].map(() => dma.tryMap(128 * SLOT)!) // the pool, full
    expect(dma.stats().used).toBe(512)
    expect(log).toEqual([]) // 100 % used, and no search has failed yet
    expect(dma.tryMap(SLOT)).toBeUndefined()
    await clock.advanceBy(0.5)
    expect(log).toEqual(['grow-start@0'])
    await clock.advanceBy(0.5)
    expect(log).toEqual(['grow-start@0', 'grow@1'])
    expect(dma.tryMap(SLOT)).toBeDefined()
    for (const m of held) m.unmap()
  })

  it('runs the worker once more for a failure seen while it ran (schedule_work re-queues it)', async () => {
    const { clock, dma, log } = mainline({ cost: { fixedMs: 1 } })
    for (let i = 0; i < 4; i++) dma.tryMap(128 * SLOT)
    dma.tryMap(SLOT) // fails: the worker starts
    await clock.advanceBy(0.5)
    dma.tryMap(SLOT) // fails again while it runs
    dma.tryMap(SLOT)
    await clock.advanceBy(5)
    expect(log).toEqual(['grow-start@0', 'grow@1', 'grow-start@1', 'grow@2'])
    expect(dma.stats().nslabs).toBe(3 * 512)
  })

  it('searches the newest pool first (add_mem_pool puts it at the head of the list)', async () => {
    const { clock, dma } = mainline()
    for (let i = 0; i < 4; i++) dma.tryMap(128 * SLOT)
    dma.tryMap(SLOT)
    await clock.advanceBy(1)
    // poolList is in search order: the grown pool comes first, the default pool after it.
    const [first, second] = dma.stats().poolList
    expect([first!.kind, second!.kind]).toEqual(['dynamic', 'default'])
    const m = dma.tryMap(SLOT)!
    expect(m.addr).toBeGreaterThanOrEqual(first!.addr)
    // The library's default keeps the default pool first, so that young pools drain and can shrink.
    const old = new Swiotlb({ size: '1M', backing: false, clock, throttle: false, growth: { waitMs: 0 } })
    expect(old.options.growth).toMatchObject({ searchOrder: 'oldest-first', onFailure: false })
  })

  it('takes a transient pool from the atomic pools, and fails once they are spent', () => {
    const { dma } = mainline({
      background: { onFailure: true },
      transient: { atomicPoolBytes: '512K', atomicPools: 1, expand: false },
      maxBytes: '1G',
    })
    for (let i = 0; i < 4; i++) dma.tryMap(128 * SLOT)
    const a = dma.tryMap(256 * KiB)
    const b = dma.tryMap(256 * KiB)
    expect([a !== undefined, b !== undefined]).toEqual([true, true])
    expect(dma.stats().growth.transients).toBe(2)
    expect(dma.tryMap(SLOT)).toBeUndefined() // 512 KiB of atomic memory spent
    a!.unmap() // its pool goes, and its atomic memory with it
    expect(dma.tryMap(6 * KiB)).toBeDefined() // rounded up to 8 KiB of pages
  })

  it('expands the atomic pool in the background when an allocation leaves less than its size (pool.c)', async () => {
    const { clock, dma } = mainline({
      transient: { atomicPoolBytes: '512K', atomicPools: 1 },
      cost: { fixedMs: 2 },
    })
    for (let i = 0; i < 4; i++) dma.tryMap(128 * SLOT)
    // The worker for dynamic pools is slower to matter here: its grow takes 2 ms too.
    expect(dma.tryMap(256 * KiB)).toBeDefined() // 256 KiB left < 512 KiB: expand by 512 KiB
    expect(dma.tryMap(256 * KiB)).toBeDefined()
    expect(dma.tryMap(SLOT)).toBeUndefined()
    await clock.advanceBy(2) // the expansion and the grow are in
    expect(dma.stats().nslabs).toBe(1024)
    for (let i = 0; i < 4; i++) dma.tryMap(128 * SLOT) // fill the grown pool again
    expect(dma.tryMap(256 * KiB)).toBeDefined() // from the expansion
  })

  // Found by review (kernel/dma/pool.c, atomic_pool_expand: order = min(get_order(size),
  // MAX_PAGE_ORDER)): an atomic pool is a power of two of pages, at boot and at each expansion.
  it('boots and expands an atomic pool in a power of two of pages, at most 4 MiB at a time', () => {
    // 12 GiB of memory: atomic_pool_size 1.5 MiB, and the pool atomic_pool_expand makes for it, 2 MiB.
    const asked = atomicPoolBytesFor(12 * 1024 * 1024 * KiB)
    expect(asked).toBe(1536 * KiB)
    const { dma } = mainline({ transient: { atomicPoolBytes: asked, atomicPools: 1, expand: false } })
    for (let i = 0; i < 4; i++) dma.tryMap(128 * SLOT)
    let n = 0
    while (dma.tryMap(256 * KiB) !== undefined) n++
    expect(n).toBe(8) // 2 MiB / 256 KiB, where 1.5 MiB would give 6
  })

  // Found by review: swiotlb_find_slots frees a transient pool whose own search fails
  // (swiotlb_dyn_free), and its memory goes back to the atomic pool (dma_free_from_pool).
  it('gives a transient pool whose search failed back to the atomic pool', () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '1M',
      clock,
      throttle: false,
      growth: {
        background: { onFailure: true },
        searchOrder: 'newest-first',
        chunkBytes: '1M',
        transient: { atomicPoolBytes: '4K', atomicPools: 1, expand: false },
      },
    })
    for (let i = 0; i < 4; i++) dma.tryMap(new Uint8Array(128 * SLOT))
    // Offset 0x800 with min_align_mask 0xfff: the one-slot transient pool, page aligned, cannot keep
    // bit 11, so its search fails, as the kernel's does.
    expect(dma.tryMap(new Uint8Array(new ArrayBuffer(8 * KiB), 0x800, SLOT), { minAlignMask: 0xfff })).toBe(
      undefined,
    )
    expect(dma.stats().transientNslabs).toBe(0)
    expect(dma.tryMap(new Uint8Array(4 * KiB))).toBeDefined() // the 4 KiB atomic pool is whole again
  })

  // Found by review: docs/api.md, background.onFailure: "grow when a search finds no room" — a
  // blocking request's search too, as swiotlb_find_slots schedules the worker for any caller.
  it('onFailure grows for a blocking search that finds no room too', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '1M',
      backing: false,
      clock,
      throttle: { high: 1 },
      growth: { background: { onFailure: true }, chunkBytes: '1M', cost: { fixedMs: 1 } },
    })
    for (let i = 0; i < 4; i++) dma.tryMap(128 * SLOT) // non-blocking: the pool full, the budget untouched
    const p = dma.map(SLOT, true) // within the budget; the search finds nothing
    await clock.advanceBy(10)
    expect(dma.stats().growth.grows).toBe(1)
    expect((await p).slots).toBe(1)
  })

  it('refuses bad options with a coded error naming the value, and builds nothing', () => {
    const bad: Array<[unknown, unknown]> = [
      [{ background: {} }, ArgumentTypeError],
      [{ background: { onFailure: 'yes' } }, ArgumentTypeError],
      [{ background: { atUsage: 2 } }, ArgumentRangeError],
      [{ background: { when: 1 } }, ArgumentRangeError],
      [{ searchOrder: 'random' }, ArgumentRangeError],
      [{ transient: { atomicPoolBytes: 1000 } }, ArgumentRangeError],
      [{ transient: { atomicPoolBytes: '1M', atomicPools: 4 } }, ArgumentRangeError],
      [{ transient: { atomicPoolBytes: '1M', expand: 1 } }, ArgumentTypeError],
      [{ transient: 'yes' }, ArgumentTypeError],
    ]
    for (const [growth, type] of bad) {
      expect(() => new Swiotlb({ size: '1M', backing: false, growth: growth as GrowthOptions })).toThrow(
        type as typeof Error,
      )
    }
  })

  it('property: used + atomic memory in use never exceed what was ever there; all freed → all back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 128 }), fc.boolean()), { maxLength: 60 }),
        (ops) => {
          const { dma } = mainline({ transient: { atomicPoolBytes: '64K', atomicPools: 2, expand: false } })
          const live = []
          for (const [slots, free] of ops) {
            if (free && live.length > 0) live.shift()!.unmap()
            const m = dma.tryMap(slots * SLOT)
            if (m !== undefined) live.push(m)
            const s = dma.stats()
            expect(s.transientNslabs * SLOT).toBeLessThanOrEqual(2 * 64 * KiB)
          }
          for (const m of live) m.unmap()
          const s = dma.stats()
          expect([s.used, s.transientNslabs, s.liveMappings]).toEqual([0, 0, 0])
          // Every transient pool's atomic memory came back: 128 KiB of transients fit again.
          for (let i = 0; i < 4; i++) dma.tryMap(128 * SLOT)
          expect(dma.tryMap(64 * KiB)).toBeDefined()
          expect(dma.tryMap(64 * KiB)).toBeDefined()
        },
      ),
    )
  })
})

import { describe, expect, it } from 'vitest'
import { Swiotlb, VirtualClock } from '../../src/index.js'

// Minimal cases that the model-based tests (test/model) shrank to, kept as plain tests.
describe('regressions found by the model', () => {
  it('a blocking map with an already-aborted signal rejects even when it could be admitted at once', async () => {
    // Shrunk from: budget pool of 128 slots, map(mayBlock 1B, signal aborted) → it was mapped.
    // An AbortSignal that is already aborted rejects at once (fetch, timers/promises, p-queue).
    for (const throttle of [{}, { mode: 'serialize' as const }, { fairShare: true }]) {
      const clock = new VirtualClock()
      const dma = new Swiotlb({ size: '256K', backing: false, clock, throttle })
      const reason = new Error('gone')
      await expect(dma.map(1, { mayBlock: true, signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
      expect(dma.stats()).toMatchObject({ used: 0, liveMappings: 0, throttle: { aborts: 1, admitted: 0 } })
      expect(clock.pendingTimers).toBe(0)
    }
  })

  it('fairShare: a head larger than the whole budget does not hold back other devices on an idle pool', async () => {
    // Shrunk from: fairShare, high 0.5 on 128 slots (budget 64), growth that cannot add a chunk.
    // nvme asks for 65 slots (only growth could admit it); nic's 3 slots then waited for ever, with
    // nothing mapped and no release to come.
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '256K',
      backing: false,
      clock,
      throttle: { high: 0.5, fairShare: true },
      // waitMs makes growth a way out for a blocking waiter (without a trigger, or with no room for a
      // chunk under maxBytes, the request is refused as too large); the grow is 1000 ms away.
      growth: { maxBytes: '512K', chunkBytes: '256K', waitMs: 1000 },
    })
    void dma.map(65 * 2048, { mayBlock: true, device: 'nvme' })
    const m = await dma.map(1) // a non-blocking map and unmap run a drain that leaves nvme waiting
    m.unmap()
    let nic = false
    void dma.map(3 * 2048, { mayBlock: true, device: 'nic' }).then(() => {
      nic = true
    })
    await clock.advanceBy(0)
    expect(nic).toBe(true)
    expect(dma.stats().throttle).toMatchObject({ waiting: 1, blockingUsed: 3 })
  })

  it('a tryMap from inside the map event of a blocking map does not change what the outer map accounts', async () => {
    // Shrunk from the re-entrancy property: map(1 slot, mayBlock) whose 'map' subscriber called
    // tryMap(3 slots). Both calls shared one parsed request, so the outer map charged 3 slots to the
    // blocking budget; after both unmaps, blockingUsed stayed at 2 for ever.
    const clock = new VirtualClock()
    const dma = new Swiotlb({ size: '256K', backing: false, clock, throttle: { high: 0.5 } })
    const inner: Array<{ unmap(): void } | undefined> = []
    dma.events$.subscribe((e) => {
      if (e.type === 'map' && e.blocking) inner.push(dma.tryMap(3 * 2048))
    })
    const outer = await dma.map(2048, true)
    expect(outer.slots).toBe(1)
    expect(dma.stats().throttle.blockingUsed).toBe(1)
    outer.unmap()
    for (const m of inner) m?.unmap()
    expect(dma.stats()).toMatchObject({ used: 0, throttle: { blockingUsed: 0 } })
  })

  it('isSwiotlbBuffer answers false for anything that is not an address', () => {
    // Shrunk from the hostile-call property: isSwiotlbBuffer({ toString: '' }) threw
    // "TypeError: Cannot convert object to primitive value" from the address lookup.
    const dma = new Swiotlb({ size: '256K', backing: false, clock: new VirtualClock() })
    const start = dma.stats().poolList[0]!.addr
    for (const value of [{ toString: '' }, String(start), null, undefined, Symbol('x'), 10n, [start]])
      expect(dma.isSwiotlbBuffer(value as unknown as number)).toBe(false)
    expect(dma.isSwiotlbBuffer(start)).toBe(true)
  })

  it('a transient pool made while a background grow is under way leaves room for the grow', async () => {
    // Found while extending the model to background growth: the grow counted its bytes only once it
    // ran (a few microtasks later), so a transient pool made in between took the same room and the
    // pools together passed maxBytes (516 KiB of 512 KiB here).
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '256K',
      backing: false,
      clock,
      throttle: false,
      growth: { chunkBytes: '256K', maxBytes: '512K', background: { atUsage: 0.9 }, transient: true },
    })
    const all = dma.tryMap(128 * 2048) // usage 100%: a background grow starts
    const small = dma.tryMap(4096) // no room yet: a transient pool would pass the limit
    await clock.advanceBy(0)
    const s = dma.stats()
    expect((s.nslabs + s.transientNslabs) * 2048).toBeLessThanOrEqual(512 * 1024)
    expect(s.growth.grows).toBe(1)
    expect(small).toBeUndefined()
    all?.unmap()
  })
})

describe('events come after the operation is complete', () => {
  it('a blocking map from inside the map event of a blocking map cannot over-admit', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({ size: '256K', backing: false, clock, throttle: { high: 0.5 } })
    let nested: Promise<unknown> | undefined
    const sub = dma.events$.subscribe((e) => {
      if (e.type === 'map' && nested === undefined) nested = dma.map(40 * 2048, true)
    })
    await dma.map(40 * 2048, true)
    await clock.advanceBy(0)
    sub.unsubscribe()
    // Budget 64: the nested request saw the outer 40 slots counted and waits.
    expect(dma.stats().throttle).toMatchObject({ blockingUsed: 40, waiting: 1, budget: 64 })
    expect(nested).toBeDefined()
  })

  it('a subscriber sees stats that already include the mapping its event reports', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({ size: '256K', backing: false, clock })
    const seen: number[] = []
    dma.events$.subscribe((e) => {
      if (e.type === 'map') seen.push(dma.stats().throttle.blockingUsed)
    })
    await dma.map(10 * 2048, true)
    expect(seen).toEqual([10])
  })
})

describe('the shrinker and blocking callers', () => {
  it('never shrinks below what admitted blocking mappings count on', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '256K',
      backing: false,
      clock,
      throttle: { high: 0.7 },
      growth: { chunkBytes: '256K', maxBytes: '512K', waitMs: 1, shrinkAfterMs: 1 },
    })
    const m = dma.map(90 * 2048, true) // budget 89 of 128 slots: waits for a grow, gets 179
    await clock.advanceBy(10)
    await m
    const s = dma.stats()
    expect(s.throttle.blockingUsed).toBeLessThanOrEqual(s.throttle.budget)
    expect(s.pools).toBe(2)
  })

  it('grow and shrink do not take turns for ever while a request waits', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '256K',
      backing: false,
      clock,
      throttle: { high: 0.25 },
      growth: { chunkBytes: '256K', maxBytes: '1M', waitMs: 1, cost: { fixedMs: 1 }, shrinkAfterMs: 0.5 },
    })
    const m = dma.map(128 * 2048, true) // needs a budget of 128: all 512 slots of 1 MiB
    await clock.advanceBy(100)
    expect((await m).slots).toBe(128)
    expect(dma.stats().growth).toMatchObject({ grows: 3, shrinks: 0 })
  })
})

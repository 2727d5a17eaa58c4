import { describe, expect, it } from 'vitest'
import { type GrowthOptions, type Mapping, Swiotlb, type SwiotlbEvent, VirtualClock } from '../src/index.js'

const SLOT = 2048
const MiB = 1024 * 1024

/** 1 MiB default pool (512 slots), budget 0.5 → 256 slots, events logged as `type@time`. */
function grower(growth: GrowthOptions, extra: { areas?: number } = {}) {
  const clock = new VirtualClock()
  const dma = new Swiotlb({ size: '1M', backing: false, clock, throttle: { high: 0.5 }, growth, ...extra })
  const log: string[] = []
  dma.events$.subscribe((e: SwiotlbEvent) => {
    if (e.type !== 'map' && e.type !== 'unmap') log.push(`${e.type}@${e.at}`)
  })
  return { clock, dma, log }
}

async function fillBudget(dma: Swiotlb): Promise<Mapping[]> {
  const held = []
  for (let i = 0; i < 4; i++) held.push(await dma.map(64 * SLOT, true))
  return held
}

describe('fallback grow (wait, then grow)', () => {
  it('grows when the head has waited waitMs, taking cost on the clock; thresholds follow', async () => {
    const { clock, dma, log } = grower({
      waitMs: 10,
      chunkBytes: '1M',
      maxBytes: '3M',
      cost: { fixedMs: 2, perMiBMs: 3 },
    })
    await fillBudget(dma)
    const waiter = dma.map(64 * SLOT, true)
    await clock.advanceBy(9)
    expect(log).toEqual(['throttle@0'])
    await clock.advanceBy(1)
    expect(log).toEqual(['throttle@0', 'grow-start@10'])
    await clock.advanceBy(4)
    expect(dma.stats().pools).toBe(1)
    await clock.advanceBy(1)
    expect(log).toEqual(['throttle@0', 'grow-start@10', 'grow@15', 'admit@15'])
    expect((await waiter).waitedMs).toBe(15)
    const s = dma.stats()
    expect(s).toMatchObject({ nslabs: 1024, pools: 2, growth: { grows: 1, bytesGrown: MiB, failures: 0 } })
    expect(s.throttle.budget).toBe(512)
    expect(clock.pendingTimers).toBe(0)
  })

  it('stops at maxBytes: the next waiter times out at the limit', async () => {
    const { clock, dma, log } = grower({ waitMs: 10, chunkBytes: '1M', maxBytes: '2M' })
    await fillBudget(dma)
    const all = []
    for (let i = 0; i < 5; i++) all.push(dma.map(64 * SLOT, true)) // 4 fit the grown budget, 1 does not
    const late = dma.map(64 * SLOT, { mayBlock: true, timeoutMs: 100 }).catch((e: unknown) => e)
    await clock.advanceBy(100)
    expect(await late).toMatchObject({ name: 'TimeoutError' })
    expect(log.filter((l) => l.startsWith('grow'))).toEqual(['grow-start@10', 'grow@10'])
    expect(log.at(-1)).toBe('timeout@100')
    expect(dma.stats()).toMatchObject({ nslabs: 1024, growth: { grows: 1 }, throttle: { waiting: 1 } })
  })

  it('a refused grow is counted, emits grow-failed, and loses no waiter', async () => {
    let answer = false
    const { clock, dma, log } = grower({
      waitMs: 5,
      chunkBytes: '1M',
      maxBytes: '4M',
      allocate: async () => answer,
    })
    const held = await fillBudget(dma)
    const waiter = dma.map(64 * SLOT, true)
    await clock.advanceBy(20)
    expect(log).toEqual(['throttle@0', 'grow-start@5', 'grow-failed@5'])
    expect(dma.stats()).toMatchObject({ growth: { failures: 1, grows: 0 }, throttle: { waiting: 1 } })
    // One attempt per head: the same head is not retried in a loop; a release admits it.
    held[0]!.unmap()
    expect((await waiter).waitedMs).toBe(20)
    // A new head re-arms the wait; this time the allocation is granted.
    answer = true
    const next = dma.map(64 * SLOT, true)
    await clock.advanceBy(5)
    expect(log.slice(-3)).toEqual(['grow-start@25', 'grow@25', 'admit@25'])
    expect((await next).waitedMs).toBe(5)
  })

  it('runs one grow at a time and grows again while the head still waits', async () => {
    const { clock, dma, log } = grower({
      waitMs: 1,
      chunkBytes: '256K',
      maxBytes: '8M',
      cost: { fixedMs: 10 },
    })
    await fillBudget(dma)
    const big = []
    for (let i = 0; i < 3; i++) big.push(dma.map(128 * SLOT, true)) // 384 more slots of budget needed
    await clock.advanceBy(100)
    // Each 256 KiB grow adds 64 slots of budget: 128 slots per waiter → 6 grows, one after another.
    expect(log.filter((l) => l.startsWith('grow'))).toEqual([
      'grow-start@1',
      'grow@11',
      'grow-start@11',
      'grow@21',
      'grow-start@21',
      'grow@31',
      'grow-start@31',
      'grow@41',
      'grow-start@41',
      'grow@51',
      'grow-start@51',
      'grow@61',
    ])
    expect(await Promise.all(big)).toHaveLength(3)
  })
})

describe('growth without a trigger', () => {
  it('cannot help a blocking request above the budget, which is refused as too large', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '256K',
      backing: false,
      clock,
      throttle: { high: 0.5 },
      growth: { transient: true },
    })
    // 128 slots × 0.5 = a budget of 64; nothing would ever grow it for a waiter of 65.
    await expect(dma.map(65 * SLOT, true)).rejects.toMatchObject({ code: 'ERR_MAPPING_TOO_LARGE' })
    expect(dma.stats().throttle.waiting).toBe(0)
    // With a trigger and room under maxBytes, the same request waits for the grow instead.
    const grows = new Swiotlb({
      size: '256K',
      backing: false,
      clock,
      throttle: { high: 0.5 },
      growth: { waitMs: 1, maxBytes: '512K', chunkBytes: '256K' },
    })
    const m = grows.map(65 * SLOT, true)
    await clock.advanceBy(1)
    expect((await m).waitedMs).toBe(1)
  })
})

describe('background grow', () => {
  it('starts a grow when usage crosses atUsage of capacity', async () => {
    const { clock, dma, log } = grower({ background: { atUsage: 0.5 }, chunkBytes: '1M', maxBytes: '2M' })
    await dma.map(64 * SLOT)
    await dma.map(64 * SLOT)
    await dma.map(64 * SLOT)
    expect(log).toEqual([])
    await dma.map(64 * SLOT) // used 256 of 512
    await clock.advanceBy(0)
    expect(log).toEqual(['grow-start@0', 'grow@0'])
    expect(dma.stats().nslabs).toBe(1024)
  })
})

describe('transient pools', () => {
  it('give a failed non-blocking request a pool of exactly its size, freed at unmap', async () => {
    const { dma, log } = grower({ transient: true, maxBytes: 1.25 * MiB })
    const fill = []
    for (let i = 0; i < 4; i++) fill.push(dma.tryMap(128 * SLOT)!)
    const t = dma.tryMap(10 * SLOT)!
    expect(t).toBeDefined()
    expect(dma.stats()).toMatchObject({
      transientNslabs: 10,
      nslabs: 512,
      used: 512,
      growth: { transients: 1 },
    })
    expect(log).toEqual(['transient@0'])
    // Within the limit: 1 MiB + 20 KiB used; another 128 slots (256 KiB) would pass 1.25 MiB.
    expect(dma.tryMap(128 * SLOT)).toBeUndefined()
    expect(log).toEqual(['transient@0', 'full@0'])
    dma.unmap(t.addr)
    expect(dma.stats().transientNslabs).toBe(0)
    expect(dma.isSwiotlbBuffer(t.addr)).toBe(false)
    for (const m of fill) m.unmap()
  })
})

describe('shrink', () => {
  it('returns a dynamic pool that stayed empty shrinkAfterMs; never the default pool', async () => {
    const { clock, dma, log } = grower({ waitMs: 0, chunkBytes: '1M', maxBytes: '2M', shrinkAfterMs: 50 })
    // Non-blocking callers fill the default pool: the blocking call fits the budget but finds no slot.
    const held = []
    for (let i = 0; i < 4; i++) held.push(dma.tryMap(128 * SLOT)!)
    const waiter = dma.map(64 * SLOT, { mayBlock: true })
    await clock.advanceBy(0)
    const m = await waiter
    expect(m.pool.kind).toBe('dynamic')
    await clock.advanceBy(30)
    m.unmap() // the dynamic pool is empty from t=30
    await clock.advanceBy(49)
    expect(dma.stats().pools).toBe(2)
    await clock.advanceBy(1)
    expect(dma.stats()).toMatchObject({ pools: 1, nslabs: 512, growth: { shrinks: 1 } })
    expect(log.at(-1)).toBe('shrink@80')
    for (const h of held) h.unmap()
    await clock.runAll()
    expect(dma.stats().pools).toBe(1)
    expect(clock.pendingTimers).toBe(0)
  })

  it('a pool used again before the deadline is kept', async () => {
    const { clock, dma } = grower({
      background: { atUsage: 0.9 },
      chunkBytes: '1M',
      maxBytes: '2M',
      shrinkAfterMs: 50,
    })
    const fill = []
    for (let i = 0; i < 4; i++) fill.push(dma.tryMap(128 * SLOT)!)
    await clock.advanceBy(0)
    expect(dma.stats().pools).toBe(2)
    await clock.advanceBy(40)
    const m = dma.tryMap(128 * SLOT)!
    expect(m.pool.kind).toBe('dynamic')
    await clock.advanceBy(40)
    expect(dma.stats().pools).toBe(2)
    m.unmap()
    await clock.advanceBy(50)
    expect(dma.stats().pools).toBe(1)
  })
})

describe('dynamic pools', () => {
  it('get min(areas, slots / 128) areas', async () => {
    const areasOf = async (chunkBytes: string) => {
      const { clock, dma } = grower(
        { background: { atUsage: 0.21 }, chunkBytes, maxBytes: '8M' },
        { areas: 4 },
      )
      dma.tryMap(128 * SLOT) // 25 % of 512 slots: one grow, after which usage is below the mark
      await clock.advanceBy(0)
      return dma.stats().poolList.map((p) => p.areas)
    }
    expect(await areasOf('256K')).toEqual([4, 1])
    expect(await areasOf('512K')).toEqual([4, 2])
    expect(await areasOf('4M')).toEqual([4, 4])
    expect(await areasOf('768K')).toEqual([4, 1]) // 3 segments: no power of two above 1 splits them
  })

  it('with hundreds of pools, unmap by address finds the right pool', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({
      size: '256K',
      backing: false,
      clock,
      throttle: false,
      growth: { background: { atUsage: 1 }, chunkBytes: '256K', maxBytes: 400 * 256 * 1024 },
    })
    const held: Mapping[] = []
    for (let i = 0; i < 400; i++) {
      held.push(dma.tryMap(128 * SLOT)!)
      await clock.advanceBy(0)
    }
    expect(dma.stats().pools).toBe(400)
    expect(new Set(held.map((m) => m.pool)).size).toBe(400)
    for (let i = held.length - 1; i >= 0; i -= 7) {
      const m = held[i]!
      dma.unmap(m.addr)
      expect(m.live).toBe(false)
      expect(m.pool.used).toBe(0)
    }
    expect(dma.stats().liveMappings).toBe(400 - Math.ceil(400 / 7))
  })
})

// api.md, close(): "clears the timers growth holds ... so that no timer keeps a process alive", while
// "waiters keep waiting and are still admitted by later unmaps". It used to clear the timers of the
// moment only: the next change of the queue armed a new wait (and a grow followed), an emptied pool a
// new shrink timer.
describe('close', () => {
  it('arms no timer again: no fallback grow or shrink after it, and unmaps still admit waiters', async () => {
    const { clock, dma, log } = grower({ waitMs: 5, chunkBytes: '1M', maxBytes: '2M', shrinkAfterMs: 10 })
    const held = await fillBudget(dma)
    const first = dma.map(64 * SLOT, true)
    const second = dma.map(64 * SLOT, true)
    await clock.advanceBy(0)
    expect(clock.pendingTimers).toBe(1) // the wait for the head's grow
    dma.close()
    expect(clock.pendingTimers).toBe(0)
    held.pop()!.unmap() // admits the head: the new head would have armed a wait
    const a = await first
    expect(clock.pendingTimers).toBe(0)
    await clock.advanceBy(20)
    expect(log).toEqual(['throttle@0', 'throttle@0', 'admit@0'])
    held.pop()!.unmap()
    const b = await second
    expect([a.waitedMs, b.waitedMs, dma.stats().throttle.waiting]).toEqual([0, 20, 0])
    expect(dma.stats().growth).toMatchObject({ grows: 0, shrinks: 0 })
    for (const m of [...held, a, b]) m.unmap()
    expect(clock.pendingTimers).toBe(0)
  })

  it('a grow under way finishes, and its empty pool gets no shrink timer', async () => {
    const { clock, dma, log } = grower({
      waitMs: 0,
      chunkBytes: '1M',
      maxBytes: '2M',
      shrinkAfterMs: 10,
      cost: { fixedMs: 2 },
    })
    const held = []
    for (let i = 0; i < 4; i++) held.push(dma.tryMap(128 * SLOT)!)
    const waiter = dma.map(64 * SLOT, true)
    await clock.advanceBy(1) // the grow has started and takes 2 ms
    dma.close()
    await clock.advanceBy(1)
    const m = await waiter
    expect(m.pool.kind).toBe('dynamic')
    m.unmap() // the dynamic pool is empty: no shrink timer after close
    expect(clock.pendingTimers).toBe(0)
    await clock.advanceBy(20)
    expect(log).toEqual(['throttle@0', 'grow-start@0', 'grow@2', 'admit@2'])
    expect(dma.stats()).toMatchObject({ pools: 2, growth: { grows: 1, shrinks: 0 } })
    for (const h of held) h.unmap()
  })
})

import { describe, expect, it } from 'vitest'
import { Swiotlb, type SwiotlbEvent, VirtualClock, type WaitQueueState } from '../src/index.js'

const SLOT = 2048

describe('streams', () => {
  it('events$ reports map, throttle, admit, unmap and full in order', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({ size: '256K', backing: false, clock, throttle: { high: 0.5 } })
    const events: SwiotlbEvent[] = []
    const sub = dma.events$.subscribe((e) => events.push(e))
    const a = await dma.map(64 * SLOT, { mayBlock: true, device: 'nvme0' })
    const waiting = dma.map(64 * SLOT, { mayBlock: true, device: 'nvme0' })
    await clock.advanceBy(3)
    dma.tryMap(64 * SLOT)
    expect(dma.tryMap(SLOT)).toBeUndefined()
    a.unmap()
    const b = await waiting
    sub.unsubscribe()
    b.unmap()
    expect(events.map((e) => `${e.type}@${e.at}`)).toEqual([
      'map@0',
      'throttle@0',
      'map@3',
      'full@3',
      'unmap@3',
      'map@3',
      'admit@3',
    ])
    expect(events[0]).toMatchObject({
      type: 'map',
      size: 64 * SLOT,
      slots: 64,
      device: 'nvme0',
      blocking: true,
    })
    expect(events[3]).toMatchObject({ type: 'full', size: SLOT, total: 128, used: 128 })
    expect(events[6]).toMatchObject({ type: 'admit', waitedMs: 3 })
  })

  it('waitQueue$ carries length, bytes waiting and how long the head has waited', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({ size: '256K', backing: false, clock, throttle: { high: 0.5 } })
    const states: WaitQueueState[] = []
    dma.waitQueue$.subscribe((q) => states.push(q))
    const a = await dma.map(64 * SLOT, true)
    const w1 = dma.map(10 * SLOT, true)
    await clock.advanceBy(4)
    const w2 = dma.map(20 * SLOT, { mayBlock: true, timeoutMs: 1 }).catch(() => 'timed out')
    await clock.advanceBy(1)
    a.unmap()
    await w1
    expect(await w2).toBe('timed out')
    expect(states).toEqual([
      { at: 0, length: 1, bytesWaiting: 10 * SLOT, headWaitedMs: 0 },
      { at: 4, length: 2, bytesWaiting: 30 * SLOT, headWaitedMs: 4 },
      { at: 5, length: 1, bytesWaiting: 10 * SLOT, headWaitedMs: 5 },
      { at: 5, length: 0, bytesWaiting: 0, headWaitedMs: 0 },
    ])
  })

  it('usage$ samples on the injected clock and clears its timer on unsubscribe', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({ size: '256K', backing: false, clock })
    const samples: number[] = []
    const sub = dma.usage$(10).subscribe((s) => samples.push(s.used))
    expect(clock.pendingTimers).toBe(1)
    await clock.advanceBy(10)
    const m = await dma.map(4 * SLOT)
    await clock.advanceBy(20)
    m.unmap()
    await clock.advanceBy(10)
    sub.unsubscribe()
    expect(samples).toEqual([0, 4, 4, 0])
    expect(clock.pendingTimers).toBe(0)
    expect(() => dma.usage$(0)).toThrow(/intervalMs/)
  })

  it('a subscriber that unmaps inside an admission does not break the queue', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({ size: '256K', backing: false, clock, throttle: { high: 1 } })
    const first = await dma.map(128 * SLOT, true)
    const order: string[] = []
    const p1 = dma.map(128 * SLOT, true)
    const p2 = dma.map(128 * SLOT, true)
    dma.events$.subscribe((e) => {
      if (e.type === 'admit') {
        order.push(`admit ${e.addr}`)
        // Unmap the admitted mapping right away, from inside the event.
        dma.unmap(e.addr)
      }
    })
    first.unmap()
    await p1
    await p2
    expect(order).toHaveLength(2)
    expect(dma.stats()).toMatchObject({ used: 0, liveMappings: 0, throttle: { waiting: 0 } })
  })
})

import { describe, expect, it } from 'vitest'
import { harness } from './helpers/throttle-harness.js'

describe('budget mode', () => {
  // 1 MiB = 512 slots; high 0.5 → a budget of 256 slots for blocking callers.
  it('a large head is not starved by small newcomers, and nobody barges', async () => {
    const h = harness({ size: '1M', throttle: { high: 0.5 } })
    h.request('a', 100)
    h.request('b', 100)
    await h.settle()
    h.request('big', 100) // 300 > 256: waits
    h.request('small', 1) // 201 would fit, but the queue is not empty: waits behind big
    await h.settle()
    expect(h.log).toEqual(['a@0', 'b@0'])
    await h.clock.advanceBy(5)
    h.release('a')
    await h.settle()
    expect(h.log).toEqual(['a@0', 'b@0', 'big@5', 'small@5'])
    expect(h.held.get('big')!.waitedMs).toBe(5)
    expect(h.dma.stats().throttle).toMatchObject({ blockingUsed: 201, highCount: 2, admitted: 4 })
  })

  it('hands slots directly to the woken waiter: a racer cannot take them', async () => {
    const h = harness({ size: '512K', throttle: { high: 1 } })
    h.request('a', 128)
    h.request('b', 128)
    await h.settle()
    h.request('w', 128)
    await h.settle()
    h.release('a')
    // Synchronously after the unmap, before any promise callback: w already owns the slots.
    expect(h.dma.stats()).toMatchObject({ used: 256, throttle: { waiting: 0, blockingUsed: 256 } })
    expect(h.dma.tryMap(2048)).toBeUndefined()
    await h.settle()
    expect(h.held.has('w')).toBe(true)
  })

  it('keeps the band above the budget for non-blocking callers', async () => {
    const h = harness({ size: '1M', throttle: { high: 0.5 } })
    for (let i = 0; i < 4; i++) h.request(`b${i}`, 64)
    h.request('wait', 64)
    await h.settle()
    expect(h.dma.stats().throttle).toMatchObject({ blockingUsed: 256, waiting: 1 })
    const irq = []
    for (let i = 0; i < 4; i++) irq.push(h.dma.tryMap(64 * 2048))
    expect(irq.every((m) => m !== undefined)).toBe(true)
    expect(h.dma.stats().used).toBe(512)
    // A blocking head that fits the budget but finds no slots waits for a release of any kind.
    h.release('b0')
    await h.settle()
    expect(h.held.has('wait')).toBe(true)
  })

  it('a request larger than the budget can never fit and is rejected', async () => {
    const h = harness({ size: '256K', throttle: { high: 0.5 } })
    await expect(h.dma.map(65 * 2048, true)).rejects.toMatchObject({ code: 'ERR_MAPPING_TOO_LARGE' })
    expect(h.dma.stats().throttle.waiting).toBe(0)
  })

  it('throttle: false makes blocking calls fail fast like non-blocking ones', async () => {
    const h = harness({ size: '256K', throttle: false })
    const a = await h.dma.map(128 * 2048, true)
    await expect(h.dma.map(2048, true)).rejects.toMatchObject({ code: 'ERR_SWIOTLB_FULL' })
    expect(h.dma.stats().throttle.mode).toBe('off')
    a.unmap()
  })
})

describe('serialize mode (the RFC)', () => {
  // 512 slots; high 0.5 = 256, low 0.25 = 128.
  it('throttles above high, and above low while the semaphore is held, with exact counts', async () => {
    const h = harness({ size: '1M', throttle: { mode: 'serialize', high: 0.5, low: 0.25 } })
    for (let i = 0; i < 5; i++) h.request(`n${i}`, 64) // used 0..256 before each: none > 256
    await h.settle()
    expect(h.dma.stats().used).toBe(320)
    h.request('t1', 64) // used 320 > 256: throttled, takes the free semaphore, maps
    h.request('t2', 64) // throttled, waits for the semaphore
    await h.settle()
    expect(h.log).toEqual(['n0@0', 'n1@0', 'n2@0', 'n3@0', 'n4@0', 't1@0'])
    expect(h.dma.stats().throttle).toMatchObject({ highCount: 2, lowCount: 0, waiting: 1 })
    // Drop to 192 (between low and high) while t1 holds the semaphore.
    for (const n of ['n0', 'n1', 'n2', 'n3']) h.release(n)
    expect(h.dma.stats().used).toBe(128)
    h.request('n5', 64) // used 128: not > low, maps at once though others wait
    await h.settle()
    h.request('t3', 64) // used 192 > low while held: throttled at the low mark
    await h.settle()
    expect(h.dma.stats().throttle).toMatchObject({ highCount: 2, lowCount: 1, waiting: 2 })
    await h.clock.advanceBy(2)
    h.release('t1') // the semaphore passes to t2, in FIFO order
    await h.settle()
    expect(h.log.slice(6)).toEqual(['n5@0', 't2@2'])
    h.release('t2')
    await h.settle()
    expect(h.log.at(-1)).toBe('t3@2')
    h.release('t3')
    expect(h.dma.stats().throttle.waiting).toBe(0)
  })
})

describe('fairShare (blk-mq hctx_may_queue)', () => {
  // 4 MiB = 2048 slots; high 0.5 → budget 1024; two active devices → 512 each (the 4-segment floor).
  it('a slow device that took the budget cannot hold a fast one hostage', async () => {
    const fair = harness({ size: '4M', throttle: { high: 0.5, fairShare: true } })
    const fifo = harness({ size: '4M', throttle: { high: 0.5 } })
    for (const h of [fair, fifo]) {
      // Alone, the snail may use the whole budget: 16 × 64 slots; 4 more wait.
      for (let i = 0; i < 20; i++) h.request(`snail${i}`, 64, { device: 'snail' })
      await h.settle()
      expect(h.held.size).toBe(16)
      h.request('cheetah', 64, { device: 'cheetah' })
      await h.settle()
      expect(h.held.has('cheetah')).toBe(false)
      h.release('snail0')
      await h.settle()
    }
    // fair: the snail is over its share (512 of 1024 with two active devices): the cheetah goes first.
    expect(fair.held.has('cheetah')).toBe(true)
    expect(fair.held.has('snail16')).toBe(false)
    // one FIFO: the cheetah waits behind every snail request that came before it.
    expect(fifo.held.has('cheetah')).toBe(false)
    expect(fifo.held.has('snail16')).toBe(true)
  })

  it('caps a device at its share once another device is active', async () => {
    const h = harness({ size: '4M', throttle: { high: 0.5, fairShare: true } })
    h.request('c0', 1, { device: 'cheetah' })
    await h.settle()
    for (let i = 0; i < 10; i++) h.request(`snail${i}`, 64, { device: 'snail' })
    await h.settle()
    // Two active devices: each is capped at max(ceil(1024 / 2), 512) = 512 slots = 8 × 64.
    expect([...h.held.keys()].filter((k) => k.startsWith('snail'))).toHaveLength(8)
    h.request('c1', 64, { device: 'cheetah' })
    await h.settle()
    expect(h.held.has('c1')).toBe(true)
  })

  it('admits device heads round-robin and keeps FIFO within each device', async () => {
    const h = harness({ size: '1M', throttle: { high: 0.5, fairShare: true } })
    h.request('fill', 128, { device: 'x' })
    h.request('fill2', 128, { device: 'x' })
    await h.settle()
    for (let i = 0; i < 3; i++) {
      h.request(`a${i}`, 10, { device: 'a' })
      h.request(`b${i}`, 10, { device: 'b' })
    }
    await h.settle()
    h.log.length = 0
    h.release('fill')
    h.release('fill2')
    await h.settle()
    expect(h.log.map((l) => l.split('@')[0])).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2'])
  })

  // Rule 5 (docs/api.md): a newcomer from another device may pass a capped device, never a head that
  // waits for budget or slots. Found by review: the rule used to follow a flag set by the last drain,
  // so it did not hold until a release had drained, and held after the head had left.
  it('a newcomer does not pass a head that waits for budget, from the moment it joins', async () => {
    const h = harness({ size: '1M', throttle: { budgetBytes: 16 * 2048, fairShare: true } })
    h.request('x', 10, { device: 'x' })
    await h.settle()
    h.request('a', 8, { device: 'a' }) // 10 + 8 > 16: waits for budget, within its share
    h.request('b', 2, { device: 'b' }) // fits budget and share, but a head waits for budget
    await h.settle()
    expect([...h.held.keys()]).toEqual(['x'])
    h.release('x')
    await h.settle()
    expect([...h.held.keys()]).toEqual(['a', 'b'])
  })

  // Rule 5 and concepts.md ("one busy queue cannot starve the others"): a device head within its share
  // that waits for budget keeps its turn. It used to be skipped at every drain, so a busy device that
  // kept a request queued took every release before it, for ever.
  it('a busy device cannot starve a head that waits for budget: the head keeps its turn', async () => {
    // 1 MiB = 512 slots, budget 512; with two devices each share is the 512-slot floor, so no cap binds.
    const h = harness({ size: '1M', throttle: { high: 1, fairShare: true } })
    for (let i = 0; i < 63; i++) h.request(`b${i}`, 8, { device: 'b' })
    await h.settle()
    h.request('a', 64, { device: 'a' }) // 504 + 64 > 512: waits for budget, within its share
    await h.settle()
    h.log.length = 0
    // b keeps one request queued and gives back one mapping a millisecond, as a busy device does.
    for (let i = 0; i < 8; i++) {
      h.request(`b${63 + i}`, 8, { device: 'b' })
      await h.clock.advanceBy(1)
      h.release(`b${i}`)
      await h.settle()
    }
    // a goes once b's releases leave it room (440 + 64 ≤ 512), then b's queue in order.
    expect(h.log).toEqual(['a@8', 'b63@8'])
    expect(h.dma.stats().throttle).toMatchObject({ waiting: 7, blockingUsed: 512 })
  })

  // Round-robin with devices that come and go: a device that starts waiting takes the last turn of
  // the round under way. Appended after the cursor, a device that left the ring on its admission and
  // came back went again before the head it had just passed (found by the model's turn check).
  it('a device that comes back to the ring waits for the turns of the devices already waiting', async () => {
    const h = harness({ size: '1M', throttle: { budgetBytes: 16 * 2048, fairShare: true } })
    h.request('x1', 16, { device: 'x' })
    await h.settle()
    h.request('c1', 2, { device: 'c' })
    h.request('c2', 2, { device: 'c' })
    h.request('n1', 2, { device: 'n' })
    h.request('s1', 13, { device: 's' })
    await h.settle()
    h.release('x1') // c1, n1 (n leaves the ring), then s1 (2 + 2 + 13 > 16) keeps its turn
    await h.settle()
    h.request('n2', 1, { device: 'n' }) // n comes back: after c, whose c2 waits
    await h.settle()
    h.release('c1') // s1 goes (15); then it is c2's turn, which waits (17 > 16)
    await h.settle()
    h.release('n1') // c2 (15), then n2 (16)
    await h.settle()
    expect(h.log.map((l) => l.split('@')[0])).toEqual(['x1', 'c1', 'n1', 's1', 'c2', 'n2'])
  })

  it('a head that waited for slots and left holds nobody back afterwards', async () => {
    // 8 MiB = 4096 slots, budget 4096: one device's share with two active is 2048.
    const h = harness({ size: '8M', throttle: { high: 1, fairShare: true } })
    const others = Array.from({ length: 31 }, () => h.dma.tryMap(128 * 2048)!)
    for (let i = 0; i < 128; i++) others.push(h.dma.tryMap(2048)!)
    h.request('a', 128, { device: 'a' }) // within budget and share: waits for slots
    others.pop()!.unmap() // a drain: a's head still finds no room
    expect(h.dma.cancelWaiting()).toBe(1)
    await h.settle()
    for (const m of others) m.unmap()
    for (let i = 0; i < 16; i++) h.request(`b${i}`, 128, { device: 'b' })
    h.request('d', 1, { device: 'd' })
    await h.settle()
    h.request('b16', 1, { device: 'b' }) // b holds its share (2048 of 4096 with 2 devices): capped
    h.request('c', 1, { device: 'c' }) // fits budget and share; only a capped device waits
    await h.settle()
    expect(h.held.has('c')).toBe(true)
    expect(h.held.has('b16')).toBe(false)
    expect(h.dma.stats().throttle.waiting).toBe(1)
  })
})

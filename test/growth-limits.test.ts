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

describe('the bounded wait when a grow is refused', () => {
  /** 1 MiB pool, budget 256 slots held, events logged as `type@time`; the first grow is refused. */
  async function refusedOnce(waitMs: number) {
    const clock = new VirtualClock()
    let asked = 0
    const dma = new Swiotlb({
      size: '1M',
      backing: false,
      clock,
      throttle: { high: 0.5 },
      growth: {
        waitMs,
        chunkBytes: '1M',
        maxBytes: '4M',
        cost: { fixedMs: 5, perMiBMs: 0 },
        allocate: () => asked++ > 0,
      },
    })
    const log: string[] = []
    dma.events$.subscribe((e) => {
      if (e.type !== 'map' && e.type !== 'unmap') log.push(`${e.type}@${e.at}`)
    })
    for (let i = 0; i < 4; i++) await dma.map(64 * SLOT, true)
    return { clock, dma, log }
  }

  // api.md: "A grow that was refused is not retried for the same head waiter; that waiter keeps
  // waiting for a release (or its timeout), and the next head re-arms the wait." A head that became
  // head, and waited waitMs, while another head's grow was under way, had no grow of its own.
  it('the next head, whose wait ran out during the refused grow, gets its own grow when it ends', async () => {
    const { clock, dma, log } = await refusedOnce(10)
    const first = outcome(dma.map(64 * SLOT, { mayBlock: true, timeoutMs: 12 }))
    await clock.advanceBy(1)
    const second = outcome(dma.map(64 * SLOT, true))
    await clock.advanceBy(30)
    expect(first.value).toMatchObject({ code: 'ERR_THROTTLE_TIMEOUT' })
    expect(log).toEqual([
      'throttle@0',
      'throttle@1',
      'grow-start@10',
      'timeout@12',
      'grow-failed@15',
      'grow-start@15',
      'grow@20',
      'admit@20',
    ])
    expect(second.value).toMatchObject({ slots: 64, waitedMs: 19 })
    expect(dma.stats().growth).toMatchObject({ grows: 1, failures: 1 })
  })

  it('the head whose own grow was refused gets no second one', async () => {
    const { clock, dma, log } = await refusedOnce(10)
    const only = outcome(dma.map(64 * SLOT, { mayBlock: true, timeoutMs: 100 }))
    await clock.advanceBy(100)
    expect(only.value).toMatchObject({ code: 'ERR_THROTTLE_TIMEOUT' })
    expect(log).toEqual(['throttle@0', 'grow-start@10', 'grow-failed@15', 'timeout@100'])
    expect(clock.pendingTimers).toBe(0)
  })
})

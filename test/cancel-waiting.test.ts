import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import {
  ArgumentRangeError,
  ArgumentTypeError,
  type Swiotlb,
  type SwiotlbEvent,
  type VirtualClock,
  WaitCancelledError,
} from '../src/index.js'
import { testPool } from './helpers/pools.js'
import { SLOT } from './helpers/throttle-harness.js'

/** 1 MiB (512 slots), accounting only; high 0.25: a blocking budget of 128 slots. */
const POOL = { size: '1M', backing: false, throttle: { high: 0.25 } } as const

function settled(p: Promise<unknown>, log: string[], name: string): void {
  p.then(
    () => log.push(`${name} mapped`),
    (e: unknown) =>
      log.push(`${name} ${e instanceof Error ? `${e.name} ${(e as { code?: string }).code}` : String(e)}`),
  )
}

function expectNoTrace(dma: Swiotlb, clock: VirtualClock): void {
  expect(dma.stats().throttle.waiting).toBe(0)
  expect(clock.pendingTimers).toBe(0)
}

describe('cancelWaiting', () => {
  for (const mode of ['budget', 'fair-share', 'serialize'] as const) {
    it(`rejects every waiter in arrival order, admits none of them, leaves no trace (${mode})`, async () => {
      const { clock, dma } = testPool({ ...POOL, throttle: { high: 0.25, low: 0.25, mode } })
      // 64 blocking slots held: the first waiter (100) cannot fit, the second (1) would once it left.
      const hold = await dma.map(64 * SLOT, true)
      // serialize has no budget: fill the pool, so that its semaphore holder waits for slots.
      const fill = mode === 'serialize' ? [0, 1, 2].map(() => dma.tryMap(128 * SLOT)!) : []
      if (mode === 'serialize') fill.push(await dma.map(64 * SLOT, true))
      const events: string[] = []
      dma.events$.subscribe((e: SwiotlbEvent) => {
        if (e.type === 'abort') events.push(`abort ${e.size} ${e.device}`)
      })
      const ac = new AbortController()
      const log: string[] = []
      // The first cannot fit even after the second leaves; the second would fit once the first leaves.
      settled(dma.map(100 * SLOT, { mayBlock: true, timeoutMs: 50, device: 'nic' }), log, 'a')
      settled(dma.map(SLOT, { mayBlock: true, signal: ac.signal, device: 'nic' }), log, 'b')
      await clock.advanceBy(1)
      expect(dma.stats().throttle.waiting).toBe(2)
      expect(dma.cancelWaiting()).toBe(2)
      await clock.advanceBy(0)
      expect(log).toEqual(['a AbortError ERR_WAIT_CANCELLED', 'b AbortError ERR_WAIT_CANCELLED'])
      expect(events).toEqual([`abort ${100 * SLOT} nic`, `abort ${SLOT} nic`])
      expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
      expect(dma.stats().throttle.aborts).toBe(2)
      expect(dma.stats().used).toBe(mode === 'serialize' ? 512 : 64)
      expectNoTrace(dma, clock)
      expect(dma.cancelWaiting()).toBe(0)
      hold.unmap()
      for (const m of fill) m.unmap()
      expect(dma.stats().used).toBe(0)
    })
  }

  it('rejects with the reason given, the same value for each', async () => {
    const { clock, dma } = testPool(POOL)
    const hold = await dma.map(128 * SLOT, true)
    const reason = new Error('shutting down')
    const waits = [dma.map(SLOT, true), dma.withMapping(SLOT, true, () => 'never')]
    expect(dma.cancelWaiting(reason)).toBe(2)
    for (const w of waits) await expect(w).rejects.toBe(reason)
    hold.unmap()
    expectNoTrace(dma, clock)
  })

  it("rejects one device's waiters; the budget they leave goes to the others at once", async () => {
    const { clock, dma } = testPool(POOL)
    const hold = await dma.map(64 * SLOT, { mayBlock: true, device: 'x' })
    const log: string[] = []
    settled(dma.map(100 * SLOT, { mayBlock: true, device: 'snail' }), log, 'snail-1')
    settled(dma.map(10 * SLOT, { mayBlock: true, device: 'cheetah' }), log, 'cheetah-1')
    settled(dma.map(10 * SLOT, { mayBlock: true, device: 'snail' }), log, 'snail-2')
    settled(dma.map(60 * SLOT, { mayBlock: true, device: 'cheetah' }), log, 'cheetah-2')
    await clock.advanceBy(0)
    expect(log).toEqual([])
    expect(dma.cancelWaiting(undefined, { device: 'snail' })).toBe(2)
    await clock.advanceBy(0)
    expect(log).toEqual([
      'snail-1 AbortError ERR_WAIT_CANCELLED',
      'snail-2 AbortError ERR_WAIT_CANCELLED',
      'cheetah-1 mapped',
    ])
    expect(dma.stats().throttle.waiting).toBe(1)
    expect(dma.cancelWaiting(undefined, { device: 'nobody' })).toBe(0)
    hold.unmap()
    await clock.advanceBy(0)
    expect(log.at(-1)).toBe('cheetah-2 mapped')
  })

  it('listens once to a signal shared by many waiters, and aborts them all together', async () => {
    const { clock, dma } = testPool(POOL)
    const hold = await dma.map(128 * SLOT, true)
    const ac = new AbortController()
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.name)
    process.on('warning', onWarning)
    const waits = Array.from({ length: 50 }, () => dma.map(SLOT, { mayBlock: true, signal: ac.signal }))
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    // A lone waiter on the same signal that has been admitted drops out of the watch.
    hold.unmap()
    await clock.advanceBy(0)
    const admitted = await Promise.all(waits)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
    const hold2 = await dma.map(128 * SLOT - 50 * SLOT, true)
    const more = Array.from({ length: 20 }, () => dma.map(SLOT, { mayBlock: true, signal: ac.signal }))
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    const reason = new Error('batch off')
    ac.abort(reason)
    for (const w of more) await expect(w).rejects.toBe(reason)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
    expect(dma.stats().throttle.aborts).toBe(20)
    process.off('warning', onWarning)
    expect(warnings).toEqual([])
    for (const m of admitted) m.unmap()
    hold2.unmap()
    expectNoTrace(dma, clock)
  })

  it('refuses bad options with a coded error and changes nothing', async () => {
    const { clock, dma } = testPool(POOL)
    const hold = await dma.map(128 * SLOT, true)
    const wait = dma.map(SLOT, true)
    const bad: Array<[unknown, unknown]> = [
      [null, ArgumentTypeError],
      ['snail', ArgumentTypeError],
      [{ device: 7 }, ArgumentTypeError],
      [[], ArgumentTypeError],
      [{ devices: 'snail' }, ArgumentRangeError],
    ]
    for (const [options, kind] of bad) {
      expect(() => dma.cancelWaiting(undefined, options as { device?: string })).toThrow(kind as typeof Error)
    }
    expect(() => dma.cancelWaiting(undefined, { device: 7 as unknown as string })).toThrow(/got 7 \(number\)/)
    expect(dma.stats().throttle.waiting).toBe(1)
    hold.unmap()
    ;(await wait).unmap()
    expectNoTrace(dma, clock)
  })

  it('does nothing without a throttle', async () => {
    const { dma } = testPool({ size: '1M', backing: false, throttle: false })
    expect(dma.cancelWaiting()).toBe(0)
  })

  it('names the error', () => {
    const e = new WaitCancelledError(4096, 'nvme')
    expect(e.message).toBe('cancelled while waiting for 4096 bytes of swiotlb budget (device "nvme")')
  })
})

describe('one listener per signal', () => {
  // Found by the model test (fair-share, seed 361906716) when SignalWatch met the one-head rule: an
  // abort of a waiter behind another device's head freed no budget and must admit nobody, as in
  // WaitPath's single leave (only a head's leaving drains the queue).
  it('an abort of a waiter that is not a head admits nobody (fair-share)', async () => {
    const { clock, dma } = testPool({
      size: 512 * 1024,
      areas: 1,
      backing: false,
      throttle: { mode: 'fair-share', high: 0.25, low: 0.125 },
    })
    const log: string[] = []
    const nvme = { mayBlock: true, device: 'nvme' } as const
    const scsi = { mayBlock: true, device: 'scsi' } as const
    settled(dma.map(65537, nvme), log, '#1')
    settled(dma.map(65537, scsi), log, '#2')
    const third = new AbortController()
    settled(dma.map(65537, { ...scsi, signal: third.signal }), log, '#3')
    // A head that leaves at once drains the queue: the scsi head is starved for budget, so the nvme
    // request behind it (which fits) waits rather than overtake on the fast path.
    settled(dma.map(65537, { ...nvme, timeoutMs: 0 }), log, '#4')
    settled(dma.map(1, nvme), log, '#5')
    await clock.advanceBy(0)
    expect(log).toEqual(['#1 mapped', '#4 TimeoutError ERR_THROTTLE_TIMEOUT'])
    third.abort()
    await clock.advanceBy(0)
    expect(log.slice(2)).toEqual(['#3 AbortError 20'])
    expect(dma.stats().throttle.waiting).toBe(2)
  })
})

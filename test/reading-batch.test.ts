import { describe, expect, it } from 'vitest'
import type { Clock, TimerHandle } from '../src/clock/clock.js'
import { BatchedReading, closeBatch, interruptBatch, openBatch } from '../src/clock/reading-batch.js'
import { type Mapping, Swiotlb } from '../src/index.js'

/** Each reading is one millisecond after the last: how many readings were taken is the time. */
class TickingClock implements Clock {
  t = 0
  now(): number {
    return ++this.t
  }
  setTimer(): TimerHandle {
    throw new Error('no timers in these tests')
  }
  clearTimer(): void {}
}

describe('BatchedReading', () => {
  it('reads the clock on every call outside a batch, once per batch inside one', () => {
    const clock = new TickingClock()
    const r = new BatchedReading(clock)
    expect([r.now(), r.now()]).toEqual([1, 2])
    const opened = openBatch()
    expect(opened).toBe(true)
    try {
      expect([r.now(), r.now(), r.now()]).toEqual([3, 3, 3])
    } finally {
      closeBatch(opened)
    }
    expect(r.now()).toBe(4)
  })

  it('a nested open joins the open batch, and its close leaves it open', () => {
    const r = new BatchedReading(new TickingClock())
    const outer = openBatch()
    try {
      expect(r.now()).toBe(1)
      const inner = openBatch()
      expect(inner).toBe(false)
      expect(r.now()).toBe(1)
      closeBatch(inner)
      expect(r.now()).toBe(1)
    } finally {
      closeBatch(outer)
    }
    expect(r.now()).toBe(2)
  })

  it('an interruption (others’ code ran) makes the next reading fresh', () => {
    const r = new BatchedReading(new TickingClock())
    const opened = openBatch()
    try {
      expect([r.now(), r.now()]).toEqual([1, 1])
      interruptBatch()
      expect([r.now(), r.now()]).toEqual([2, 2])
    } finally {
      closeBatch(opened)
    }
    interruptBatch() // outside a batch: nothing to interrupt, and no batch is opened
    expect([r.now(), r.now()]).toEqual([3, 4])
  })

  it('each clock is read once per batch', () => {
    const a = new BatchedReading(new TickingClock())
    const b = new BatchedReading(new TickingClock())
    const opened = openBatch()
    try {
      expect([a.now(), b.now(), a.now(), b.now()]).toEqual([1, 1, 1, 1])
    } finally {
      closeBatch(opened)
    }
  })
})

/**
 * 16 withMapping calls hold the whole blocking budget (16 one-slot mappings) until `gate` opens, with
 * 4 more queued behind them. The 16 callbacks settle together, so one flush frees their mappings and
 * admits the 4.
 */
async function flushAdmitsFour(subscribe: boolean) {
  const clock = new TickingClock()
  const dma = new Swiotlb({ size: '256K', backing: false, throttle: { high: 0.125 }, clock })
  const admits: number[] = []
  if (subscribe) {
    dma.events$.subscribe((e) => {
      if (e.type === 'admit') admits.push(e.at)
    })
  }
  let open!: () => void
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  const held = Array.from({ length: 16 }, () => dma.withMapping(2048, true, () => gate))
  const waits: number[] = []
  const queued = Array.from({ length: 4 }, () =>
    dma.withMapping(2048, true, (m: Mapping) => {
      waits.push(m.waitedMs)
    }),
  )
  expect(dma.stats().throttle.waiting).toBe(4)
  const before = clock.t
  open()
  await Promise.all([...held, ...queued])
  return { waits, admits, readings: clock.t - before }
}

describe('admissions by one flush of settled withMapping calls', () => {
  it('share one clock reading: the 4 waiters admitted by the flush were admitted at one instant', async () => {
    const { waits, readings } = await flushAdmitsFour(false)
    // Enqueued one reading apart (t, t+1, t+2, t+3), admitted at the same T: each waited 1 ms less
    // than the one before it. One reading for 4 admissions.
    expect(waits.length).toBe(4)
    expect(waits.slice(1).map((w, i) => waits[i]! - w)).toEqual([1, 1, 1])
    expect(readings).toBe(1)
  })

  it('read afresh after a subscriber has run: each admission event has its own time', async () => {
    const { waits, admits } = await flushAdmitsFour(true)
    expect(waits.length).toBe(4)
    expect(admits.length).toBe(4)
    for (let i = 1; i < admits.length; i++) expect(admits[i]!).toBeGreaterThan(admits[i - 1]!)
  })
})

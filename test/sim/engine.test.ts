import { describe, expect, it } from 'vitest'
import { Engine, Rng, TICK_MS } from '../../src/sim/index.js'

describe('Engine', () => {
  it('runs events in time order, FIFO within a tick, on a 1 µs grid', async () => {
    const engine = new Engine()
    const log: string[] = []
    engine.after(0.0105, () => log.push(`b@${engine.nowTick()}`)) // rounds up to 11 µs
    engine.after(0.005, () => log.push(`a@${engine.nowTick()}`))
    engine.after(0.011, () => log.push(`c@${engine.nowTick()}`))
    await engine.clock.runAll()
    expect(log).toEqual(['a@5', 'b@11', 'c@11'])
  })

  it('coalesces every event of a tick into one clock timer', async () => {
    const engine = new Engine()
    let ran = 0
    for (let i = 0; i < 1000; i++) engine.after(1, () => ran++)
    for (let i = 0; i < 10; i++) engine.after(2, () => ran++)
    expect(engine.clock.pendingTimers).toBe(1)
    expect(engine.pending).toBe(1010)
    await engine.clock.advanceBy(1)
    expect(ran).toBe(1000)
    expect(engine.clock.pendingTimers).toBe(1)
    await engine.clock.runAll()
    expect(ran).toBe(1010)
    expect(engine.clock.pendingTimers).toBe(0)
  })

  it('lets promise callbacks of one tick run before the next tick', async () => {
    const engine = new Engine()
    const log: string[] = []
    const worker = async () => {
      await engine.sleep(1)
      log.push(`woke@${engine.clock.now()}`)
      engine.after(0, () => log.push(`same-tick@${engine.nowTick()}`))
    }
    void worker()
    engine.after(1.001, () => log.push(`next@${engine.nowTick()}`))
    await engine.clock.runAll()
    expect(log).toEqual([`woke@${1000 * TICK_MS}`, 'same-tick@1000', 'next@1001'])
  })
})

describe('Rng', () => {
  it('gives the same sequence for the same seed and stream, another for another stream', () => {
    const a = new Rng(42, 1)
    const b = new Rng(42, 1)
    const c = new Rng(42, 2)
    const seqA = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA)
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA)
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true)
  })

  it('spreads below(n) over [0, n)', () => {
    const rng = new Rng(7)
    const counts = [0, 0, 0, 0]
    for (let i = 0; i < 4000; i++) counts[rng.below(4)]!++
    for (const n of counts) expect(n).toBeGreaterThan(900)
  })
})

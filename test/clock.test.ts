import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../src/index.js'

describe('VirtualClock', () => {
  it('fires timers in (time, seq) order and moves time to each', async () => {
    const clock = new VirtualClock()
    const log: string[] = []
    clock.setTimer(10, () => log.push(`b@${clock.now()}`))
    clock.setTimer(5, () => log.push(`a@${clock.now()}`))
    clock.setTimer(10, () => log.push(`c@${clock.now()}`))
    expect(clock.pendingTimers).toBe(3)
    await clock.advanceBy(10)
    expect(log).toEqual(['a@5', 'b@10', 'c@10'])
    expect(clock.now()).toBe(10)
    expect(clock.pendingTimers).toBe(0)
  })

  it('runs pending promise callbacks between timers', async () => {
    const clock = new VirtualClock()
    const log: string[] = []
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimer(ms, resolve))
    const proc = async (name: string, steps: number[]) => {
      for (const ms of steps) {
        await sleep(ms)
        await Promise.resolve()
        log.push(`${name}@${clock.now()}`)
      }
    }
    void proc('x', [1, 1, 1])
    void proc('y', [2, 1])
    await clock.runAll()
    // y's timer for t=2 was set at t=0, before x's (set at t=1): it fires first.
    expect(log).toEqual(['x@1', 'y@2', 'x@2', 'y@3', 'x@3'])
  })

  it('lets promise chains of any depth finish before the next timer, including those started before runAll', async () => {
    const clock = new VirtualClock()
    const log: string[] = []
    const chain = async (name: string, depth: number): Promise<void> => {
      // A thenable costs two extra hops per await; mixed with plain awaits the chain is deep and uneven.
      // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose
      const thenable = { then: (resolve: () => void) => resolve() }
      for (let i = 0; i < depth; i++) await (i % 2 === 0 ? null : thenable)
      log.push(`${name} done@${clock.now()}`)
    }
    void chain('before', 500)
    clock.setTimer(1, () => {
      log.push('t1')
      void chain('in t1', 1000)
    })
    clock.setTimer(1, () => log.push('t1 second'))
    clock.setTimer(2, () => log.push('t2'))
    await clock.runAll()
    expect(log).toEqual(['before done@0', 't1', 'in t1 done@1', 't1 second', 't2'])
  })

  it("runs a timer's promise chains, then its process.nextTick callbacks (nested too), before the next timer", async () => {
    const clock = new VirtualClock()
    const log: string[] = []
    const chain = async (name: string): Promise<void> => {
      for (let i = 0; i < 100; i++) await null
      log.push(`${name} done`)
    }
    clock.setTimer(1, () => {
      process.nextTick(() => {
        log.push('tick')
        process.nextTick(() => log.push('tick in tick'))
      })
      void chain('from t1')
    })
    clock.setTimer(1, () => log.push('t1 second'))
    await clock.runAll()
    // A promise chain started inside a nextTick callback is not waited for (api.md, VirtualClock).
    expect(log).toEqual(['from t1 done', 'tick', 'tick in tick', 't1 second'])
  })

  it('advances to the target even with no timers, and leaves later timers pending', async () => {
    const clock = new VirtualClock(100)
    let fired = false
    clock.setTimer(50, () => {
      fired = true
    })
    await clock.advanceBy(49)
    expect(clock.now()).toBe(149)
    expect(fired).toBe(false)
    expect(clock.nextTimerAt).toBe(150)
    await clock.advanceBy(1)
    expect(fired).toBe(true)
  })

  it('clearTimer removes a timer and ignores stale handles', async () => {
    const clock = new VirtualClock()
    const log: number[] = []
    const handles = [1, 2, 3, 4, 5].map((n) => clock.setTimer(n, () => log.push(n)))
    clock.clearTimer(handles[2]!)
    clock.clearTimer(handles[0]!)
    clock.clearTimer(handles[0]!)
    expect(clock.pendingTimers).toBe(3)
    await clock.runAll()
    expect(log).toEqual([2, 4, 5])
    clock.clearTimer(handles[1]!)
    clock.clearTimer({})
    expect(clock.pendingTimers).toBe(0)
  })

  it('fires a timer set while running at its own time, in order', async () => {
    const clock = new VirtualClock()
    const log: string[] = []
    clock.setTimer(5, () => {
      log.push('a')
      clock.setTimer(0, () => log.push('a+0'))
      clock.setTimer(3, () => log.push('a+3'))
    })
    clock.setTimer(6, () => log.push('b'))
    await clock.runAll()
    expect(log).toEqual(['a', 'a+0', 'b', 'a+3'])
    expect(clock.now()).toBe(8)
  })

  it('rejects bad arguments with a RangeError naming the value', async () => {
    const clock = new VirtualClock()
    await expect(clock.advanceBy(-1)).rejects.toThrow(/got -1/)
    await expect(clock.advanceBy(Number.NaN)).rejects.toThrow(RangeError)
    expect(() => clock.setTimer(Number.NaN, () => {})).toThrow(RangeError)
    expect(() => new VirtualClock(Number.POSITIVE_INFINITY)).toThrow(RangeError)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ArgumentTypeError,
  type Mapping,
  MappingTooLargeError,
  type Swiotlb,
  SwiotlbFullError,
  ThrottleTimeoutError,
  type VirtualClock,
} from '../src/index.js'
import { testPool } from './helpers/pools.js'
import { SLOT } from './helpers/throttle-harness.js'

/** 1 MiB (512 slots), accounting only; high 0.25: a blocking budget of 128 slots. */
const POOL = { size: '1M', backing: false, throttle: { high: 0.25 } } as const

function expectEmpty(dma: Swiotlb, clock: VirtualClock): void {
  const s = dma.stats()
  expect(s.used).toBe(0)
  expect(s.throttle.waiting).toBe(0)
  expect(s.throttle.blockingUsed).toBe(0)
  expect(clock.pendingTimers).toBe(0)
}

describe('withMapping', () => {
  it('maps, runs the callback with the live mapping, unmaps, and resolves with its value', async () => {
    const { clock, dma } = testPool(POOL)
    let seen: Mapping | undefined
    const value = await dma.withMapping(3 * SLOT, true, (m) => {
      seen = m
      expect(m.live).toBe(true)
      expect(dma.stats().used).toBe(3)
      return 'done'
    })
    expect(value).toBe('done')
    expect(seen!.live).toBe(false)
    expectEmpty(dma, clock)
  })

  it('takes (buf, fn) as a non-blocking call, and rejects with SwiotlbFullError without calling fn', async () => {
    const { clock, dma } = testPool(POOL)
    const all = [0, 1, 2, 3].map(() => dma.tryMap(128 * SLOT)!)
    let calls = 0
    await expect(
      dma.withMapping(2 * SLOT, () => {
        calls++
      }),
    ).rejects.toBeInstanceOf(SwiotlbFullError)
    expect(calls).toBe(0)
    for (const m of all) m.unmap()
    await expect(dma.withMapping(2 * SLOT, (m) => m.slots)).resolves.toBe(2)
    expectEmpty(dma, clock)
  })

  it('unmaps when the callback throws or rejects, and rejects with its error', async () => {
    const { clock, dma } = testPool(POOL)
    const boom = new Error('boom')
    await expect(
      dma.withMapping(SLOT, true, () => {
        throw boom
      }),
    ).rejects.toBe(boom)
    await expect(
      dma.withMapping(SLOT, true, async () => {
        await null
        throw boom
      }),
    ).rejects.toBe(boom)
    expectEmpty(dma, clock)
  })

  it('settles queued callbacks on every path: a value, a throw, a rejection, a detached buffer', async () => {
    const { clock, dma } = testPool({ ...POOL, backing: true })
    const first = await dma.map(new Uint8Array(128 * SLOT), true) // the whole blocking budget
    const boom = new Error('boom')
    const ab = new ArrayBuffer(64)
    const outcomes = Promise.allSettled([
      dma.withMapping(new Uint8Array(SLOT), true, (m) => m.slots),
      dma.withMapping(new Uint8Array(SLOT), true, () => {
        throw boom
      }),
      dma.withMapping(new Uint8Array(SLOT), true, async () => {
        await null
        throw boom
      }),
      dma.withMapping(new Uint8Array(ab), { mayBlock: true, dir: 'from-device' }, () => {
        structuredClone(ab, { transfer: [ab] }) // detaches the caller's buffer
      }),
    ])
    expect(dma.stats().throttle.waiting).toBe(4)
    first.unmap()
    const [value, thrown, rejected, detached] = await outcomes
    expect(value).toEqual({ status: 'fulfilled', value: 1 })
    expect(thrown).toEqual({ status: 'rejected', reason: boom })
    expect(rejected).toEqual({ status: 'rejected', reason: boom })
    expect(detached.status).toBe('rejected')
    expect(String((detached as PromiseRejectedResult).reason)).toMatch(/detached/)
    expectEmpty(dma, clock)
  })

  it("unmaps when reading the callback result's then throws, and rejects with that error", async () => {
    // p-limit (`(async () => fn())()`) and async-mutex (`return await callback()`) both read `then`
    // inside a promise job, where a throwing getter rejects and the unit is released.
    const { clock, dma } = testPool(POOL)
    const boom = new Error('then getter')
    const hostile = {
      // biome-ignore lint/suspicious/noThenProperty: the hostile result under test
      get then(): never {
        throw boom
      },
    }
    await expect(dma.withMapping(SLOT, true, () => hostile)).rejects.toBe(boom)
    expect(dma.stats().liveMappings).toBe(0)
    // A queued call is released the same way, and the next waiter gets the unit.
    const hold = await dma.map(128 * SLOT, true)
    const queued = dma.withMapping(128 * SLOT, true, () => hostile)
    const next = dma.withMapping(128 * SLOT, true, () => 'next')
    hold.unmap()
    await expect(queued).rejects.toBe(boom)
    await expect(next).resolves.toBe('next')
    expect(dma.stats().liveMappings).toBe(0)
    expectEmpty(dma, clock)
  })

  it('accepts a callback that unmaps the mapping itself', async () => {
    const { clock, dma } = testPool(POOL)
    await expect(dma.withMapping(SLOT, true, (m) => m.unmap())).resolves.toBeUndefined()
    expectEmpty(dma, clock)
  })

  it('refuses a callback that is not a function, with its value in the message, and changes nothing', async () => {
    const { clock, dma } = testPool(POOL)
    for (const bad of [undefined, 42, 'fn', {}]) {
      // @ts-expect-error: a callback that is not a function
      const p = dma.withMapping(SLOT, true, bad)
      await expect(p).rejects.toBeInstanceOf(ArgumentTypeError)
      await expect(p).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    }
    // @ts-expect-error: no callback at all
    await expect(dma.withMapping(SLOT, true)).rejects.toThrow(/fn.*undefined/)
    expect(dma.stats().throttle.admitted).toBe(0)
    expectEmpty(dma, clock)
  })

  it("rejects with map's error for bad input or a request that can never fit, without calling fn", async () => {
    const { clock, dma } = testPool(POOL)
    let calls = 0
    const fn = () => {
      calls++
    }
    await expect(dma.withMapping(-1, true, fn)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' })
    await expect(dma.withMapping(129 * SLOT, true, fn)).rejects.toBeInstanceOf(MappingTooLargeError)
    await expect(dma.withMapping(SLOT, { mayBlock: true, bogus: 1 } as never, fn)).rejects.toThrow(/bogus/)
    expect(calls).toBe(0)
    expectEmpty(dma, clock)
  })

  it('queues in FIFO order with map callers; a queued callback starts after the unmap that admitted it', async () => {
    const { clock, dma } = testPool(POOL)
    const log: string[] = []
    const first = await dma.map(128 * SLOT, true) // the whole blocking budget
    const a = dma.withMapping(64 * SLOT, true, async (m) => {
      log.push(`a runs @${clock.now()} waited ${m.waitedMs}`)
      await null
      return 'a'
    })
    const b = dma.map(64 * SLOT, true).then((m) => {
      log.push(`b mapped @${clock.now()}`)
      return m
    })
    const c = dma.withMapping(SLOT, true, () => {
      log.push(`c runs @${clock.now()}`)
      return 'c'
    })
    await clock.advanceBy(5)
    expect(dma.stats().throttle.waiting).toBe(3)
    log.push('unmap first')
    first.unmap()
    // The callback does not run inside the unmap: it starts on a later microtask.
    log.push('unmap returned')
    await clock.advanceBy(0)
    expect(await a).toBe('a')
    const bm = await b
    // a's unmap admitted c (b still holds 64 of the 128 slots).
    expect(await c).toBe('c')
    expect(log).toEqual(['unmap first', 'unmap returned', 'a runs @5 waited 5', 'b mapped @5', 'c runs @5'])
    bm.unmap()
    expectEmpty(dma, clock)
  })

  it("starts the next queued callback when the previous callback's unmap has returned", async () => {
    const { clock, dma } = testPool(POOL)
    let first: Mapping | undefined
    const seen: string[] = []
    const a = dma.withMapping(128 * SLOT, true, async (m) => {
      first = m
      await null
      return 'a'
    })
    const b = dma.withMapping(128 * SLOT, true, (m) => {
      // a's unmap is complete: its slots are free, nobody waits, the budget holds b alone.
      const t = dma.stats().throttle
      seen.push(
        `first live ${first!.live}, waiting ${t.waiting}, blocking ${t.blockingUsed}, b live ${m.live}`,
      )
      return 'b'
    })
    expect(await Promise.all([a, b])).toEqual(['a', 'b'])
    expect(seen).toEqual(['first live false, waiting 0, blocking 128, b live true'])
    expectEmpty(dma, clock)
  })

  it('starts callbacks in admission order when an events$ subscriber calls withMapping', async () => {
    // Found by review: the 'map' event used to reach subscribers before the caller's reaction was
    // registered, so a subscriber's own withMapping started its callback first.
    const { clock, dma } = testPool(POOL)
    const order: string[] = []
    let nested: Promise<void> | undefined
    const sub = dma.events$.subscribe((e) => {
      if (e.type !== 'map') return
      order.push(`admitted ${e.size}`)
      nested ??= dma.withMapping(SLOT, true, () => {
        order.push(`fn ${SLOT}`)
      })
    })
    await dma.withMapping(2 * SLOT, true, () => {
      order.push(`fn ${2 * SLOT}`)
    })
    await nested
    sub.unsubscribe()
    expect(order).toEqual([`admitted ${2 * SLOT}`, `admitted ${SLOT}`, `fn ${2 * SLOT}`, `fn ${SLOT}`])
    expectEmpty(dma, clock)
  })

  it('times out and aborts like map, leaving nothing behind and never calling fn', async () => {
    const { clock, dma } = testPool(POOL)
    const hold = await dma.map(128 * SLOT, true)
    let calls = 0
    const fn = () => {
      calls++
    }
    const timed = dma.withMapping(SLOT, { mayBlock: true, timeoutMs: 10 }, fn)
    const ac = new AbortController()
    const aborted = dma.withMapping(SLOT, { mayBlock: true, signal: ac.signal }, fn)
    timed.catch(() => {})
    aborted.catch(() => {})
    await clock.advanceBy(3)
    ac.abort(new Error('stop'))
    await expect(aborted).rejects.toThrow('stop')
    await clock.advanceBy(10)
    await expect(timed).rejects.toBeInstanceOf(ThrottleTimeoutError)
    hold.unmap()
    await clock.advanceBy(0)
    expect(calls).toBe(0)
    expectEmpty(dma, clock)
  })

  it('a queued call that leaves is seen rejected before the waiters its leaving admits (fairness rule 7)', async () => {
    for (const how of ['timeout', 'abort', 'cancelWaiting'] as const) {
      const { clock, dma } = testPool(POOL)
      const hold = await dma.map(100 * SLOT, true)
      const log: string[] = []
      const ac = new AbortController()
      const options = how === 'timeout' ? { timeoutMs: 5 } : how === 'abort' ? { signal: ac.signal } : {}
      const leaver = dma.withMapping(64 * SLOT, { mayBlock: true, device: 'a', ...options }, () => 'never')
      leaver.catch((e: Error) => log.push(`leaver ${e.name}`))
      // Behind it: a map caller and a withMapping caller that fit once it is gone.
      const next = dma.map(20 * SLOT, { mayBlock: true, device: 'b' })
      next.then(() => log.push('map admitted'))
      const after = dma.withMapping(8 * SLOT, { mayBlock: true, device: 'b' }, () => log.push('fn runs'))
      await clock.advanceBy(1)
      expect(dma.stats().throttle.waiting).toBe(3)
      if (how === 'abort') ac.abort()
      if (how === 'cancelWaiting') dma.cancelWaiting(undefined, { device: 'a' })
      await clock.advanceBy(5)
      await after
      expect([how, log]).toEqual([
        how,
        [`leaver ${how === 'timeout' ? 'TimeoutError' : 'AbortError'}`, 'map admitted', 'fn runs'],
      ])
      ;(await next).unmap()
      hold.unmap()
      expectEmpty(dma, clock)
    }
  })

  it('copies back after the callback, and frees the slots when the buffer was detached meanwhile', async () => {
    const { clock, dma } = testPool({ ...POOL, backing: true })
    const buf = new Uint8Array(100)
    await dma.withMapping(buf, { mayBlock: true, dir: 'from-device' }, (m) => {
      m.bytes.fill(7)
    })
    expect(buf.every((b) => b === 7)).toBe(true)
    const ab = new ArrayBuffer(64)
    const view = new Uint8Array(ab)
    const p = dma.withMapping(view, true, () => {
      structuredClone(ab, { transfer: [ab] }) // detaches the caller's buffer
    })
    await expect(p).rejects.toThrow(/detached/)
    expectEmpty(dma, clock)
  })

  it('keeps the budget and releases everything for any mix of sizes, outcomes and map callers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            slots: fc.integer({ min: 1, max: 128 }),
            form: fc.constantFrom('with', 'map'),
            outcome: fc.constantFrom('ok', 'throw', 'unmap-self'),
            holdMs: fc.integer({ min: 0, max: 3 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        async (calls) => {
          const { clock, dma } = testPool(POOL)
          let peak = 0
          const order: number[] = []
          const run = async (i: number, m: Mapping) => {
            order.push(i)
            peak = Math.max(peak, dma.stats().throttle.blockingUsed)
            await null
            const c = calls[i]!
            if (c.holdMs > 0) await new Promise<void>((r) => clock.setTimer(c.holdMs, r))
            if (c.outcome === 'unmap-self') m.unmap()
            if (c.outcome === 'throw') throw new Error(`t${i}`)
            return i
          }
          const results = calls.map((c, i) =>
            c.form === 'with'
              ? dma.withMapping(c.slots * SLOT, true, (m) => run(i, m))
              : dma.map(c.slots * SLOT, true).then(async (m) => {
                  try {
                    return await run(i, m)
                  } finally {
                    if (m.live) m.unmap()
                  }
                }),
          )
          const settled = Promise.allSettled(results)
          await clock.runAll()
          const outcomes = await settled
          // Callbacks start in arrival order: the fast path runs them at once, the queue in FIFO order.
          const withs = calls.flatMap((c, i) => (c.form === 'with' ? [i] : []))
          expect(order.filter((i) => calls[i]!.form === 'with')).toEqual(withs)
          expect([...order].sort((x, y) => x - y)).toEqual(calls.map((_, i) => i))
          expect(peak).toBeLessThanOrEqual(128)
          outcomes.forEach((o, i) => {
            if (calls[i]!.outcome === 'throw') expect(o.status).toBe('rejected')
            else expect(o).toEqual({ status: 'fulfilled', value: i })
          })
          expectEmpty(dma, clock)
        },
      ),
      { numRuns: 100 },
    )
  })
})

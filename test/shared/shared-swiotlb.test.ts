import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import {
  ArgumentTypeError,
  InvalidUnmapError,
  MappingTooLargeError,
  NoBackingMemoryError,
  SharedQueueFullError,
  SharedSwiotlb,
  SwiotlbFullError,
  ThrottleTimeoutError,
  VirtualClock,
} from '../../src/index.js'
import { checkShared, rangeOf } from './check-shared.js'

/** Waits for a promise across a few event-loop turns (a grant wakes Atomics.waitAsync on a task). */
async function outcome<T>(p: Promise<T>): Promise<T | Error> {
  let result: T | Error | undefined
  p.then(
    (v) => {
      result = v
    },
    (e: Error) => {
      result = e
    },
  )
  for (let turn = 0; turn < 50 && result === undefined; turn++) await new Promise((r) => setImmediate(r))
  if (result === undefined) throw new Error('still pending')
  return result
}

const SEG = 128 * 2048

describe('SharedSwiotlb options and handles', () => {
  it('refuses bad options with coded errors that name the value', () => {
    const cases: [unknown, string, string][] = [
      [{ hiwater: 'precise' }, 'ERR_OUT_OF_RANGE', '"precise"'],
      [{ hiwater: { mode: 'batched', batch: 0 } }, 'ERR_OUT_OF_RANGE', '0 (number)'],
      [{ hiwater: { mode: 'sampled', intervalMs: '5' } }, 'ERR_INVALID_ARG_TYPE', '"5"'],
      [{ size: '2G' }, 'ERR_OUT_OF_RANGE', '"2G"'],
      [{ areas: 3 }, 'ERR_OUT_OF_RANGE', '3 (number)'],
      [{ maxWaiters: 1.5 }, 'ERR_OUT_OF_RANGE', '1.5'],
      [{ throttle: { low: 0.5 } }, 'ERR_OUT_OF_RANGE', '"low"'],
      [{ throttle: { high: 2 } }, 'ERR_OUT_OF_RANGE', '2 (number)'],
      [{ colour: 'red' }, 'ERR_OUT_OF_RANGE', '"colour"'],
      [{ cpu: -1 }, 'ERR_OUT_OF_RANGE', '-1'],
      // As Swiotlb does: `true` names no budget (leave the option out for the default).
      [{ throttle: true }, 'ERR_INVALID_ARG_TYPE', 'true'],
      ['64M', 'ERR_INVALID_ARG_TYPE', '"64M"'],
    ]
    for (const [options, code, shown] of cases) {
      const error = (() => {
        try {
          new SharedSwiotlb(options as never)
        } catch (e) {
          return e as Error & { code: string }
        }
        throw new Error(`accepted ${JSON.stringify(options)}`)
      })()
      expect([error.code, error.message.includes(shown)]).toEqual([code, true])
    }
  })

  it('attach refuses anything but a handle of this version', () => {
    const pool = new SharedSwiotlb({ size: SEG, backing: false })
    const h = pool.handle
    const tampered = { ...h, meta: new SharedArrayBuffer(h.meta.byteLength) }
    for (const bad of [
      null,
      {},
      'handle',
      { ...h, kind: 'other' },
      { ...h, list: new ArrayBuffer(128) },
      tampered,
    ]) {
      expect(() => SharedSwiotlb.attach(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
      )
    }
    expect(() => SharedSwiotlb.attach(h, { cpu: 1.5 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    )
    expect(SharedSwiotlb.attach(h, { cpu: 3 }).cpu).toBe(3)
  })
})

describe('SharedSwiotlb mappings', () => {
  it('bounces bytes: copies in for every direction, back at unmap, and shows exactly its own bytes', () => {
    const pool = new SharedSwiotlb({ size: SEG, areas: 1 })
    // A mapping of the whole pool leaves its bytes everywhere and the cursor back at slot 0.
    const stale = pool.tryMap(new Uint8Array(SEG).fill(0xee))!
    stale.unmap()
    const buf = new Uint8Array(3000).fill(7)
    const m = pool.tryMap(buf, { dir: 'from-device' })!
    expect(m.addr).toBe(stale.addr)
    expect([m.bytes.length, m.bytes.every((b) => b === 7)]).toEqual([3000, true]) // never 0xee
    m.bytes.fill(9)
    expect(buf[0]).toBe(7)
    m.unmap()
    expect(buf.every((b) => b === 9)).toBe(true)
    const t = pool.tryMap(buf, { dir: 'to-device' })!
    t.bytes.fill(1)
    t.unmap()
    expect(buf[0]).toBe(9)
  })

  it('without backing, a mapping has no bytes', () => {
    const pool = new SharedSwiotlb({ size: SEG, backing: false })
    const m = pool.tryMap(4096)!
    expect(() => m.bytes).toThrow(NoBackingMemoryError)
  })

  it('an unmap that is refused changes nothing', () => {
    const pool = new SharedSwiotlb({ size: SEG, areas: 1, backing: false })
    const m = pool.tryMap(5000)!
    const before = [pool.stats(), new Uint8Array(pool.handle.list).slice()]
    const tries: (() => void)[] = [
      () => pool.unmap(m.addr + 1),
      () => pool.unmap(m.addr + SEG * 4),
      () => pool.unmap(m.addr, { size: 4096 }),
      // Found by review: -1 was also the internal "no size check", so it freed the mapping.
      () => pool.unmap(m.addr, { size: -1 }),
      () => pool.unmap(m.addr, { size: 5000.5 }),
      () => pool.unmap(m.addr, { size: '5000' as never }),
      () => pool.unmap(Number.NaN),
    ]
    for (const t of tries) expect(t).toThrow(InvalidUnmapError)
    expect(() => pool.unmap(m.addr, 5 as never)).toThrow(ArgumentTypeError)
    expect(() => pool.unmap(m.addr, 5 as never)).toThrow(/got 5/)
    expect(() => pool.unmap(m.addr, { size: -1 })).toThrow(/size -1 does not match the mapping's 5000 bytes/)
    expect([pool.stats(), new Uint8Array(pool.handle.list)]).toEqual(before)
    m.unmap({ size: 5000 })
    expect(() => m.unmap()).toThrow(InvalidUnmapError)
    expect(pool.stats().used).toBe(0)
  })

  it('another view unmaps by address; the first view`s stale object cannot free the next mapping there', () => {
    const a = new SharedSwiotlb({ size: SEG, areas: 1 })
    const b = SharedSwiotlb.attach(a.handle, { cpu: 1 })
    const old = a.tryMap(new Uint8Array(SEG).fill(1))!
    b.unmap(old.addr)
    const next = b.tryMap(new Uint8Array(SEG).fill(2))!
    expect(next.addr).toBe(old.addr)
    expect(() => old.unmap()).toThrow(/unmapped already by another thread/)
    // Found by review: the stale object's bytes and syncs reached the next mapping's bounce memory.
    for (const use of [() => old.bytes, () => old.syncForDevice(), () => old.syncForCpu()])
      expect(use).toThrow(/unmapped already by another thread/)
    expect([next.bytes[0], a.stats().used]).toEqual([2, 128])
    checkShared(a.handle, { live: [rangeOf(a.handle, next)], waiting: 0 })
  })
})

describe('SharedSwiotlb blocking maps', () => {
  /** A pool of 512 slots; two blocking mappings take its budget of 256 (with `second` of 128 slots). */
  function full(maxWaiters = 16, second = SEG) {
    const clock = new VirtualClock()
    const pool = new SharedSwiotlb({
      size: 4 * SEG,
      areas: 1,
      backing: false,
      clock,
      throttle: { high: 0.5 },
      maxWaiters,
    })
    const held = [pool.mapSync(SEG), pool.mapSync(second)]
    return { clock, pool, held }
  }

  it('FIFO: a head that times out admits the one behind it, and leaves no trace', async () => {
    // 200 of the 256 budget slots are held: the big head waits, and the small one behind it.
    const { clock, pool, held } = full(16, 72 * 2048)
    const log: string[] = []
    const big = pool.map(SEG, { mayBlock: true, timeoutMs: 10 })
    const small = pool.map(2048, { mayBlock: true })
    big.then(
      () => log.push('big'),
      (e: Error) => log.push(`big ${e.name}`),
    )
    small.then(() => log.push('small'))
    expect(pool.stats().throttle.waiting).toBe(2)
    await clock.advanceBy(10)
    const m = await outcome(small)
    expect(log).toEqual(['big TimeoutError', 'small'])
    expect(await outcome(big)).toBeInstanceOf(ThrottleTimeoutError)
    expect(pool.stats().throttle).toMatchObject({
      waiting: 0,
      waits: 2,
      grants: 1,
      timeouts: 1,
      blockingUsed: 201,
    })
    expect(clock.pendingTimers).toBe(0)
    for (const h of held) h.unmap()
    ;(m as { unmap(): void }).unmap()
    checkShared(pool.handle, { live: [], waiting: 0 })
  })

  it('direct handoff: the release allocates for the head before anybody else can take the slots', async () => {
    const { pool, held } = full()
    const waiter = pool.map(SEG, { mayBlock: true })
    held[0]!.unmap()
    // The head already holds its slots: the budget is spent again, whatever the newcomer asks for.
    expect(pool.stats().throttle.blockingUsed).toBe(256)
    expect(await outcome(pool.map(2048, { mayBlock: true, timeoutMs: 0 }))).toBeInstanceOf(
      ThrottleTimeoutError,
    )
    const m = await outcome(waiter)
    expect(m).toMatchObject({ slots: 128 })
  })

  it('an abort takes the waiter out; a signal aborted before the call rejects at once', async () => {
    const { clock, pool, held } = full()
    const ac = new AbortController()
    const p = pool.map(2048, { mayBlock: true, signal: ac.signal })
    ac.abort(new Error('stop'))
    expect(await outcome(p)).toMatchObject({ message: 'stop' })
    const done = AbortSignal.abort(new Error('before'))
    expect(await outcome(pool.map(2048, { mayBlock: true, signal: done }))).toMatchObject({
      message: 'before',
    })
    expect(pool.stats().throttle).toMatchObject({ waiting: 0, aborts: 2 })
    expect(clock.pendingTimers).toBe(0)
    checkShared(pool.handle, { live: held.map((h) => rangeOf(pool.handle, h)), waiting: 0 })
  })

  it('waiters sharing one signal share one abort listener, and all leave when it fires', async () => {
    // Swiotlb keeps one listener per signal (SignalWatch); the shared pool added one per waiter, and a
    // signal shared by more than 10 waiters made Node warn MaxListenersExceededWarning.
    const { clock, pool, held } = full(32)
    const ac = new AbortController()
    const waits = Array.from({ length: 20 }, () => pool.map(2048, { mayBlock: true, signal: ac.signal }))
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    expect(pool.stats().throttle.waiting).toBe(20)
    const settled = Promise.all(waits.map((w) => outcome(w)))
    const reason = new Error('batch cancelled')
    ac.abort(reason)
    expect(await settled).toEqual(waits.map(() => reason))
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
    expect(pool.stats().throttle).toMatchObject({ waiting: 0, aborts: 20 })
    expect(clock.pendingTimers).toBe(0)
    checkShared(pool.handle, { live: held.map((h) => rangeOf(pool.handle, h)), waiting: 0 })
  })

  it('the shared listener goes once the last waiter on its signal is granted or times out', async () => {
    const { clock, pool, held } = full(32)
    const ac = new AbortController()
    const granted = pool.map(2048, { mayBlock: true, signal: ac.signal })
    const timed = pool.map(2048, { mayBlock: true, signal: ac.signal, timeoutMs: 5 })
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    held[1]!.unmap()
    expect(await outcome(granted)).toMatchObject({ slots: 1 })
    // The second one was granted too (the release freed 128 slots of budget): it still counts.
    expect(await outcome(timed)).toMatchObject({ slots: 1 })
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
    await clock.advanceBy(5)
    expect(clock.pendingTimers).toBe(0)
    const again = pool.map(SEG, { mayBlock: true, signal: ac.signal, timeoutMs: 5 })
    const other = pool.map(SEG, { mayBlock: true, signal: ac.signal })
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    await clock.advanceBy(5)
    expect(await outcome(again)).toBeInstanceOf(ThrottleTimeoutError)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    ac.abort()
    expect(await outcome(other)).toMatchObject({ name: 'AbortError' })
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
    expect(pool.stats().throttle).toMatchObject({ waiting: 0, timeouts: 1, aborts: 1 })
  })

  it('a waiter whose buffer is detached while it waits gets its slots, zeroed', async () => {
    // Found by review: the grant copied from the detached buffer and threw, losing slot and budget.
    const pool = new SharedSwiotlb({ size: SEG, areas: 1, throttle: { high: 0.5 } })
    const held = await pool.map(new Uint8Array(64 * 2048), { mayBlock: true })
    const buf = new Uint8Array(2048).fill(7)
    const p = pool.map(buf, { mayBlock: true, dir: 'to-device' })
    structuredClone(buf.buffer, { transfer: [buf.buffer] })
    held.unmap()
    const m = await outcome(p)
    expect(m).toMatchObject({ size: 2048, slots: 1 })
    const mapping = m as Awaited<typeof p>
    expect(mapping.bytes.every((b) => b === 0)).toBe(true)
    mapping.unmap()
    expect(pool.stats()).toMatchObject({ used: 0, throttle: { blockingUsed: 0, waiting: 0 } })
  })

  it('a signal whose addEventListener throws is refused before the request queues, leaving nothing', async () => {
    // Found by review: the listener went on after the record was queued, which then stayed, and its
    // later grant held a slot and budget nobody owned.
    const { clock, pool, held } = full()
    const signal = {
      aborted: false,
      addEventListener() {
        throw new Error('no listeners here')
      },
      removeEventListener() {},
    }
    const error = await outcome(pool.map(2048, { mayBlock: true, signal: signal as never }))
    expect(error).toBeInstanceOf(ArgumentTypeError)
    expect((error as Error).message).toMatch(/signal/)
    expect(pool.stats().throttle).toMatchObject({ waiting: 0, blockingUsed: 256 })
    for (const h of held) h.unmap()
    expect(pool.stats()).toMatchObject({ used: 0, throttle: { blockingUsed: 0, grants: 0 } })
    expect(clock.pendingTimers).toBe(0)
    checkShared(pool.handle, { live: [], waiting: 0 })
  })

  it('a signal that fires inside addEventListener rejects with its reason, leaving nothing', async () => {
    const { pool, held } = full()
    const reason = new Error('fired as watched')
    let removed = 0
    const signal = {
      aborted: false,
      reason,
      addEventListener(_type: string, listener: () => void) {
        listener()
      },
      removeEventListener() {
        removed++
      },
    }
    expect(await outcome(pool.map(2048, { mayBlock: true, signal: signal as never }))).toBe(reason)
    // Its listener fired (once: true) inside addEventListener: nothing is left to remove.
    expect(removed).toBe(0)
    expect(pool.stats().throttle).toMatchObject({ waiting: 0, aborts: 1 })
    checkShared(pool.handle, { live: held.map((h) => rangeOf(pool.handle, h)), waiting: 0 })
  })

  it('refuses what can never be admitted, and a full record table, changing nothing', async () => {
    const { pool, held } = full(1)
    expect(await outcome(pool.map(300 * 2048 - 100, { mayBlock: true }))).toBeInstanceOf(MappingTooLargeError)
    const first = pool.map(2048, { mayBlock: true })
    const second = await outcome(pool.map(2048, { mayBlock: true }))
    expect(second).toBeInstanceOf(SharedQueueFullError)
    expect((second as SharedQueueFullError).message).toMatch(
      /1 blocking requests wait already \(sz: 2048 bytes\)/,
    )
    held[0]!.unmap()
    expect(await outcome(first)).toMatchObject({ slots: 1 })
    expect(pool.stats().throttle.waiting).toBe(0)
  })

  it('mapSync: admitted at once when it fits; timeoutMs 0 on a full budget throws and leaves no trace', () => {
    const { pool } = full()
    expect(() => pool.mapSync(2048, { timeoutMs: 0 })).toThrow(ThrottleTimeoutError)
    const signal = new AbortController().signal
    expect(() => pool.mapSync(2048, { signal } as never)).toThrow(/absent in mapSync/)
    const s = pool.stats()
    expect([s.throttle.waiting, s.throttle.timeouts, s.used]).toEqual([0, 1, 256])
  })

  it('with throttle: false a blocking map is a non-blocking one', async () => {
    const pool = new SharedSwiotlb({ size: SEG, backing: false, throttle: false })
    pool.tryMap(SEG)
    expect(await outcome(pool.map(2048, { mayBlock: true }))).toBeInstanceOf(SwiotlbFullError)
    expect(() => pool.mapSync(2048)).toThrow(
      /swiotlb buffer is full \(sz: 2048 bytes\), total 128 \(slots\), used 128/,
    )
  })

  it('close stops the sampler of a sampled pool', async () => {
    const clock = new VirtualClock()
    const pool = new SharedSwiotlb({
      size: SEG,
      backing: false,
      clock,
      hiwater: { mode: 'sampled', intervalMs: 5 },
    })
    const m = pool.tryMap(10 * 2048)!
    await clock.advanceBy(5)
    m.unmap()
    expect(pool.stats().hiwater).toBe(10)
    pool[Symbol.dispose]()
    expect(clock.pendingTimers).toBe(0)
  })
})

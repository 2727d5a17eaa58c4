import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Mapping, Swiotlb, VirtualClock } from '../../src/index.js'
import { params } from '../helpers/fc-params.js'
import { callCoded, expectCoded, hostileNumber, snapshot } from './hostile-helpers.js'

// Hostile arguments to every Swiotlb and Mapping method, on a pool that holds mappings and waiters:
// each call works, or fails with a coded error and leaves the pool exactly as it was.
const hostile = fc.oneof(hostileNumber, fc.anything())
const view = fc.oneof(
  fc.uint8Array({ maxLength: 5000 }),
  fc.int16Array({ maxLength: 100 }),
  fc.float64Array({ maxLength: 100 }),
  fc.nat(300_000).map((n) => new DataView(new ArrayBuffer(n + 16), 16)),
  fc.nat(300_000).map((n) => new Uint8Array(new SharedArrayBuffer(n))),
  fc.constant(Buffer.from('hello')),
  fc.constant(new Uint8Array(0)),
)
const mapOptions = fc.oneof(
  hostile,
  fc.boolean(),
  fc.record(
    {
      mayBlock: fc.oneof(hostile, fc.boolean()),
      dir: fc.oneof(hostile, fc.constantFrom('to-device', 'from-device', 'bidirectional')),
      device: fc.oneof(hostile, fc.string()),
      cpu: fc.oneof(hostile, fc.nat(8)),
      minAlignMask: fc.oneof(hostile, fc.constantFrom(0, 0xfff, 0x7ff, 0x1000)),
      allocAlignMask: fc.oneof(hostile, fc.constantFrom(0, 0xfff, 0x7fff, 0x1000)),
      signal: fc.oneof(hostile, fc.constant(AbortSignal.abort()), fc.constant(new AbortController().signal)),
      timeoutMs: fc.oneof(hostile, fc.nat(50)),
    },
    { requiredKeys: [] },
  ),
)

/** A pool with live mappings (one of them in a grown pool) and a waiter. */
async function busyPool(backing: boolean) {
  const clock = new VirtualClock()
  const dma = new Swiotlb({
    size: '512K',
    backing,
    clock,
    throttle: { high: 0.5 },
    growth: { chunkBytes: '256K', maxBytes: '1M', waitMs: 1, shrinkAfterMs: 1000 },
  })
  const arg = (n: number) => (backing ? new Uint8Array(n) : n)
  const live: Mapping[] = []
  for (const n of [100, 5000, 64 * 1024, 120 * 1024]) live.push(await dma.map(arg(n), true))
  void dma.map(arg(200 * 1024), true) // waits, a grow is armed
  await clock.advanceBy(0)
  const dead = await dma.map(arg(3000))
  dead.unmap()
  return { clock, dma, live, dead }
}

/** What a pool holds: slots, mappings, waiters, budget and timers. */
function holdings({ dma, clock }: Awaited<ReturnType<typeof busyPool>>) {
  const s = dma.stats()
  const t = s.throttle
  return [s.used, s.liveMappings, s.transientNslabs, t.waiting, t.blockingUsed, clock.pendingTimers]
}

/** `fn` throws a coded error and the pool is as it was, or it works. */
function hostileCall(pool: Awaited<ReturnType<typeof busyPool>>, what: string, fn: () => unknown): unknown {
  const before = snapshot(pool.dma, pool.clock)
  const { value, error } = callCoded(fn, what)
  if (error !== undefined) expect(snapshot(pool.dma, pool.clock), `${what} changed the pool`).toBe(before)
  return value
}

describe('hostile calls', () => {
  for (const backing of [true, false]) {
    it(`map(anything, anything) returns a promise; a refusal leaves the pool as it was (backing ${backing})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(hostile, view), mapOptions, async (buf, options) => {
          const pool = await busyPool(backing)
          const before = snapshot(pool.dma, pool.clock)
          let result: unknown
          const promise = pool.dma.map(buf as number, options as boolean) // never throws
          expect(promise).toBeInstanceOf(Promise)
          promise.then(
            (m) => {
              result = m
            },
            (e: unknown) => {
              result = e
            },
          )
          await pool.clock.advanceBy(0)
          // An aborted signal rejects with its own reason (DESIGN §3); everything else carries our code.
          if (result instanceof Error && result.name !== 'AbortError') {
            expectCoded(result, 'map')
            const code = (result as Error & { code: string }).code
            if (
              code === 'ERR_INVALID_ARG_TYPE' ||
              code === 'ERR_OUT_OF_RANGE' ||
              code === 'ERR_MAPPING_TOO_LARGE'
            )
              expect(snapshot(pool.dma, pool.clock), 'a refused map changed the pool').toBe(before)
          }
          pool.dma.close()
        }),
        params(300),
      )
    })

    it(`withMapping(anything, anything, anything) returns a promise; a refusal leaves the pool as it was (backing ${backing})`, async () => {
      const callback = fc.oneof(
        hostile,
        fc.constant((m: Mapping) => m.size),
        fc.constant(() => {
          throw new Error('callback')
        }),
      )
      await fc.assert(
        fc.asyncProperty(fc.oneof(hostile, view), mapOptions, callback, async (buf, options, fn) => {
          const pool = await busyPool(backing)
          const before = snapshot(pool.dma, pool.clock)
          const heldBefore = holdings(pool)
          let result: unknown
          // @ts-expect-error: anything at all, on purpose
          const promise = pool.dma.withMapping(buf, options, fn) // never throws
          expect(promise).toBeInstanceOf(Promise)
          promise.then(
            (v) => {
              result = v
            },
            (e: unknown) => {
              result = e
            },
          )
          await pool.clock.advanceBy(0)
          if (result instanceof Error && result.name !== 'AbortError' && result.message !== 'callback') {
            expectCoded(result, 'withMapping')
            const code = (result as Error & { code: string }).code
            if (
              code === 'ERR_INVALID_ARG_TYPE' ||
              code === 'ERR_OUT_OF_RANGE' ||
              code === 'ERR_MAPPING_TOO_LARGE'
            )
              expect(snapshot(pool.dma, pool.clock), 'a refused withMapping changed the pool').toBe(before)
          }
          // Whatever the callback did, a settled call holds no mapping (only the high-water mark and the
          // area cursors may have moved).
          if (result !== undefined)
            expect(holdings(pool), 'a settled call left a mapping').toEqual(heldBefore)
          pool.dma.close()
        }),
        params(300),
      )
    })

    it(`tryMap(anything, anything) maps, answers undefined, or throws a coded error (backing ${backing})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(hostile, view), mapOptions, async (buf, options) => {
          const pool = await busyPool(backing)
          const m = hostileCall(pool, 'tryMap', () => pool.dma.tryMap(buf as number, options as never))
          if (m !== undefined) (m as Mapping).unmap()
          pool.dma.close()
        }),
        params(300),
      )
    })
  }

  it('unmap, resetHiwater, usage$, maxMappingSize and isSwiotlbBuffer with anything', async () => {
    const pool = await busyPool(true)
    const { dma, live, dead } = pool
    const start = live[0]!.addr
    const forged = fc.oneof(
      hostile,
      fc
        .integer({ min: start - 4096, max: start + 1024 * 1024 })
        .filter((a) => !live.some((m) => m.addr === a)),
      fc.constantFrom(start + 0.5, start + 1, dead.addr, live[1]!.addr + 2048, -start),
    )
    fc.assert(
      fc.property(forged, hostile, (target, options) => {
        hostileCall(pool, 'unmap', () => dma.unmap(target as number, options as never))
        hostileCall(pool, 'unmap of a stale mapping', () => dma.unmap(dead, options as never))
        hostileCall(pool, 'Mapping.unmap', () => live[0]!.unmap(options as never))
        hostileCall(pool, 'resetHiwater', () =>
          options === 0 ? undefined : dma.resetHiwater(options as number),
        )
        const size = hostileCall(pool, 'maxMappingSize', () => dma.maxMappingSize(options as number))
        if (size !== undefined) expect(size).toBeGreaterThanOrEqual(0)
        expect(typeof dma.isSwiotlbBuffer(target as number)).toBe('boolean')
        const usage = hostileCall(pool, 'usage$', () => dma.usage$(options as number))
        if (usage !== undefined) {
          const timers = pool.clock.pendingTimers
          const sub = dma.usage$(options as number).subscribe(() => {})
          expect(pool.clock.pendingTimers).toBe(timers + 1)
          sub.unsubscribe()
          expect(pool.clock.pendingTimers).toBe(timers)
        }
      }),
      params(500),
    )
    dma.close()
  })

  it('methods of an unmapped Mapping throw a coded error and change nothing', async () => {
    const pool = await busyPool(true)
    const { dead } = pool
    for (const [what, fn] of [
      ['unmap', () => dead.unmap()],
      ['unmap skipCpuSync', () => dead.unmap({ skipCpuSync: true })],
      ['bytes', () => dead.bytes],
      ['syncForCpu', () => dead.syncForCpu()],
      ['syncForDevice', () => dead.syncForDevice()],
    ] as const) {
      const before = snapshot(pool.dma, pool.clock)
      expect(fn, what).toThrow(expect.objectContaining({ code: 'ERR_INVALID_UNMAP' }))
      expect(snapshot(pool.dma, pool.clock)).toBe(before)
    }
    dead[Symbol.dispose]() // disposing twice is allowed, like closing twice
    pool.dma.close()
  })

  it('a Mapping of another Swiotlb is refused by address and by object', async () => {
    const pool = await busyPool(true)
    const other = await busyPool(true)
    const theirs = other.live[2]!
    hostileCall(pool, 'foreign mapping', () => expect(() => pool.dma.unmap(theirs)).toThrow())
    const before = snapshot(other.dma, other.clock)
    expect(() => pool.dma.unmap(theirs)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_UNMAP' }))
    expect(snapshot(other.dma, other.clock)).toBe(before)
    pool.dma.close()
    other.dma.close()
  })
})

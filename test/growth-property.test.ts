import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Mapping, Swiotlb, type SwiotlbEvent, VirtualClock } from '../src/index.js'
import { params } from './helpers/fc-params.js'

const SLOT = 2048
const KiB = 1024
const MiB = 1024 * KiB

/**
 * A reference of the pools built from events$ alone, by api.md's rules: `maxBytes` bounds the default,
 * dynamic and transient pools and a grow under way together; one grow at a time, each of exactly
 * `chunkBytes`, usable `fixedMs + perMiBMs × MiB` after its grow-start; a dynamic pool is returned only
 * once it stayed empty `shrinkAfterMs`, never the default pool, never with a mapping in it.
 */
class PoolsReference {
  readonly dynamic = new Map<number, { bytes: number; used: number; emptySince: number }>()
  readonly transient = new Map<number, number>()
  pendingSince: number | undefined = undefined
  counts = { grows: 0, failures: 0, bytesGrown: 0, shrinks: 0, transients: 0 }
  readonly errors: string[] = []

  constructor(
    readonly defaultAddr: number,
    readonly defaultBytes: number,
    readonly maxBytes: number,
    readonly chunkBytes: number,
    readonly costMs: number,
    readonly shrinkAfterMs: number | undefined,
  ) {}

  get poolBytes(): number {
    let total = this.defaultBytes
    for (const p of this.dynamic.values()) total += p.bytes
    for (const b of this.transient.values()) total += b
    return total
  }

  #check(ok: boolean, what: string): void {
    if (!ok) this.errors.push(what)
  }

  #dynamicOf(addr: number): { bytes: number; used: number; emptySince: number } | undefined {
    for (const [start, p] of this.dynamic) if (addr >= start && addr < start + p.bytes) return p
    return undefined
  }

  #transientOf(addr: number): number | undefined {
    for (const [start, bytes] of this.transient) if (addr >= start && addr < start + bytes) return start
    return undefined
  }

  event(e: SwiotlbEvent): void {
    switch (e.type) {
      case 'grow-start':
        this.#check(this.pendingSince === undefined, `grow-start@${e.at} while a grow is under way`)
        this.#check(e.bytes === this.chunkBytes, `grow-start of ${e.bytes}`)
        this.pendingSince = e.at
        break
      case 'grow':
        this.#check(
          this.pendingSince !== undefined && e.at === this.pendingSince + this.costMs,
          `grow@${e.at}`,
        )
        this.#check(e.bytes === this.chunkBytes && e.nslabs * SLOT === e.bytes, `grow of ${e.bytes}`)
        this.pendingSince = undefined
        this.dynamic.set(e.addr, { bytes: e.bytes, used: 0, emptySince: e.at })
        this.counts.grows++
        this.counts.bytesGrown += e.bytes
        break
      case 'grow-failed':
        this.#check(
          this.pendingSince !== undefined && e.at === this.pendingSince + this.costMs,
          `failed@${e.at}`,
        )
        this.pendingSince = undefined
        this.counts.failures++
        break
      case 'shrink': {
        const p = this.dynamic.get(e.addr)
        this.#check(e.addr !== this.defaultAddr, 'the default pool shrank')
        this.#check(p !== undefined && p.used === 0, `shrink@${e.at} of a pool in use or unknown`)
        const after = this.shrinkAfterMs
        this.#check(
          after !== undefined && p !== undefined && e.at - p.emptySince >= after,
          `shrink@${e.at} early`,
        )
        this.dynamic.delete(e.addr)
        this.counts.shrinks++
        break
      }
      case 'transient':
        this.transient.set(e.addr, e.bytes)
        this.counts.transients++
        break
      case 'map': {
        const p = this.#dynamicOf(e.addr)
        if (p !== undefined) p.used += e.slots
        const known =
          p !== undefined ||
          this.#transientOf(e.addr) !== undefined ||
          (e.addr >= this.defaultAddr && e.addr < this.defaultAddr + this.defaultBytes)
        this.#check(known, `map@${e.at} at 0x${e.addr.toString(16)} outside every pool`)
        break
      }
      case 'unmap': {
        const p = this.#dynamicOf(e.addr)
        if (p !== undefined) {
          p.used -= e.slots
          if (p.used === 0) p.emptySince = e.at
        }
        const t = this.#transientOf(e.addr)
        if (t !== undefined) this.transient.delete(t)
        break
      }
      default:
    }
    const pending = this.pendingSince === undefined ? 0 : this.chunkBytes
    this.#check(
      this.poolBytes + pending <= this.maxBytes,
      `${this.poolBytes + pending} bytes after ${e.type}@${e.at}`,
    )
  }
}

type Op =
  | { t: 'block'; slots: number; timeoutMs: number }
  | { t: 'now'; slots: number }
  | { t: 'unmap'; pick: number }
  | { t: 'advance'; ms: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    t: fc.constant('block' as const),
    slots: fc.integer({ min: 1, max: 96 }),
    timeoutMs: fc.integer({ min: 1, max: 60 }),
  }),
  fc.record({ t: fc.constant('now' as const), slots: fc.integer({ min: 1, max: 128 }) }),
  fc.record({ t: fc.constant('unmap' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 15 }) }),
)

const config = fc.record({
  sizeSegs: fc.integer({ min: 1, max: 2 }),
  chunkSegs: fc.integer({ min: 1, max: 2 }),
  chunks: fc.integer({ min: 0, max: 3 }),
  slackBytes: fc.integer({ min: 0, max: 511 * KiB }),
  waitMs: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
  atUsage: fc.option(fc.constantFrom(0.5, 0.75, 1), { nil: undefined }),
  transient: fc.boolean(),
  shrinkAfterMs: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  fixedMs: fc.integer({ min: 0, max: 3 }),
  perMiBMs: fc.integer({ min: 0, max: 4 }),
  refusals: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
})

describe('maxBytes, grows and shrinks against a reference built from events', () => {
  it('never passes maxBytes; grows take their cost once; shrinks only empty dynamic pools; stats agree', async () => {
    await fc.assert(
      fc.asyncProperty(config, fc.array(op, { minLength: 1, maxLength: 40 }), async (c, ops) => {
        const clock = new VirtualClock()
        const size = c.sizeSegs * 256 * KiB
        const chunkBytes = c.chunkSegs * 256 * KiB
        const maxBytes = size + c.chunks * chunkBytes + c.slackBytes
        let asked = 0
        const dma = new Swiotlb({
          size,
          backing: false,
          clock,
          throttle: { high: 0.5 },
          growth: {
            maxBytes,
            chunkBytes,
            ...(c.waitMs === undefined ? {} : { waitMs: c.waitMs }),
            ...(c.atUsage === undefined ? {} : { background: { atUsage: c.atUsage } }),
            transient: c.transient,
            ...(c.shrinkAfterMs === undefined ? {} : { shrinkAfterMs: c.shrinkAfterMs }),
            cost: { fixedMs: c.fixedMs, perMiBMs: c.perMiBMs },
            allocate: () => c.refusals[asked++ % c.refusals.length] !== true,
          },
        })
        const costMs = c.fixedMs + (c.perMiBMs * chunkBytes) / MiB
        const ref = new PoolsReference(
          dma.stats().poolList[0]!.addr,
          size,
          maxBytes,
          chunkBytes,
          costMs,
          c.shrinkAfterMs,
        )
        dma.events$.subscribe((e) => ref.event(e))
        const live: Mapping[] = []
        const agree = () => {
          const s = dma.stats()
          let dynamicBytes = 0
          for (const p of ref.dynamic.values()) dynamicBytes += p.bytes
          let transientBytes = 0
          for (const b of ref.transient.values()) transientBytes += b
          expect(s.nslabs * SLOT).toBe(size + dynamicBytes)
          expect(s.transientNslabs * SLOT).toBe(transientBytes)
          expect(s.pools).toBe(1 + ref.dynamic.size)
          expect(s.poolList.filter((p) => p.kind === 'dynamic').map((p) => [p.addr, p.used])).toEqual(
            [...ref.dynamic].map(([addr, p]) => [addr, p.used]).sort((a, b) => a[0]! - b[0]!),
          )
          expect(s.growth).toEqual(ref.counts)
          expect(ref.errors).toEqual([])
        }
        for (const o of ops) {
          if (o.t === 'block') {
            dma.map(o.slots * SLOT, { mayBlock: true, timeoutMs: o.timeoutMs }).then(
              (m) => live.push(m),
              () => {},
            )
          } else if (o.t === 'now') {
            const m = dma.tryMap(o.slots * SLOT)
            if (m !== undefined) live.push(m)
          } else if (o.t === 'unmap') {
            if (live.length > 0) dma.unmap(live.splice(o.pick % live.length, 1)[0]!)
          } else await clock.advanceBy(o.ms)
          await clock.advanceBy(0)
          agree()
        }
        // Everything goes: every waiter times out or is admitted, every mapping is unmapped.
        await clock.advanceBy(100)
        while (live.length > 0) {
          dma.unmap(live.pop()!)
          await clock.advanceBy(0)
        }
        await clock.advanceBy(100)
        agree()
        dma.close()
        expect(clock.pendingTimers).toBe(0)
      }),
      params(150),
    )
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SLOT_SIZE } from '../src/allocator/layout.js'
import type { Pool } from '../src/allocator/pool.js'
import { SwiotlbAllocator } from '../src/allocator/swiotlb-allocator.js'
import { type Mapping, Swiotlb, VirtualClock } from '../src/index.js'
import { params } from './helpers/fc-params.js'

/** The slots `[slot, slot + n)` of `pool` are all in use (free-run counter 0). */
function taken(pool: Pool, slot: number, n: number): boolean {
  for (let i = slot; i < slot + n; i++) if (pool.slots.run(i) !== 0) return false
  return true
}

describe('SwiotlbAllocator.find answers with the pool and the first slot', () => {
  it('in a pool of this allocator, aligned as asked, over slots now taken', () => {
    const request = fc.record({
      cpu: fc.nat(7),
      nslots: fc.integer({ min: 1, max: 128 }),
      alignLog: fc.integer({ min: 11, max: 14 }),
    })
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.array(request, { maxLength: 40 }), (dynamic, reqs) => {
        const a = new SwiotlbAllocator({ nslabs: 512, nareas: 4, backing: false, now: 0 })
        for (let i = 0; i < dynamic; i++) a.addPool('dynamic', 256, 2, 0)
        let used = 0
        for (const r of reqs) {
          const found = a.find(r.cpu, r.nslots, 2 ** r.alignLog - 1, 0, 0, 0)
          if (found === undefined) continue
          const { pool, slot } = found
          expect(a.pools).toContain(pool)
          const addr = pool.start + slot * SLOT_SIZE
          expect(a.poolOf(addr)).toBe(pool)
          expect(addr % 2 ** r.alignLog).toBe(0)
          expect(taken(pool, slot, r.nslots)).toBe(true)
          used += r.nslots
          expect(a.used).toBe(used)
        }
      }),
      params(200),
    )
  })
})

describe('MapPath: every Mapping agrees with the slots it holds', () => {
  it('addr, pool, slot and offset of mappings across default, dynamic and transient pools', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('map' as const),
        bytes: fc.integer({ min: 1, max: 64 * SLOT_SIZE }),
        cpu: fc.nat(7),
        minAlignMask: fc.constantFrom(0, 2047, 4095),
        viewOffset: fc.nat(4095),
        mayBlock: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat(), byAddress: fc.boolean() }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const clock = new VirtualClock()
        const dma = new Swiotlb({
          size: '512K',
          areas: 2,
          clock,
          throttle: { high: 1 },
          growth: { chunkBytes: '256K', maxBytes: '2M', background: { atUsage: 0.5 }, transient: true },
        })
        const held: Mapping[] = []
        const backing = new Uint8Array(64 * SLOT_SIZE + 4096)
        for (const o of ops) {
          if (o.kind === 'map') {
            const buf = backing.subarray(o.viewOffset, o.viewOffset + o.bytes)
            const options = { mayBlock: o.mayBlock, cpu: o.cpu, minAlignMask: o.minAlignMask, timeoutMs: 0 }
            const m = await dma.map(buf, options).catch(() => undefined)
            if (m !== undefined) {
              expect(m.addr).toBe(m.pool.start + m.offset)
              expect(m.slot * SLOT_SIZE).toBeLessThanOrEqual(m.offset)
              expect(m.offset + m.size).toBeLessThanOrEqual((m.slot + m.slots) * SLOT_SIZE)
              // min_align_mask: the low bits of the caller's offset are kept in the address.
              expect(m.addr & o.minAlignMask).toBe(buf.byteOffset & o.minAlignMask)
              expect(taken(m.pool, m.slot, m.slots)).toBe(true)
              expect(dma.isSwiotlbBuffer(m.addr)).toBe(true)
              held.push(m)
            }
          } else if (held.length !== 0) {
            const m = held.splice(o.pick % held.length, 1)[0]!
            dma.unmap(o.byAddress ? m.addr : m)
          }
          await clock.advanceBy(0)
        }
        for (const m of held) dma.unmap(m.addr)
        const s = dma.stats()
        expect([s.used, s.liveMappings, s.transientNslabs]).toEqual([0, 0, 0])
        dma.close()
      }),
      params(100),
    )
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Mapping, MappingTooLargeError, Swiotlb } from '../src/index.js'
import { params } from './helpers/fc-params.js'
import {
  type KernelDevice,
  KernelPool,
  KernelSwiotlb,
  searchInputs,
  slotAccepted,
} from './reference/kernel-search.js'
import { type MapDraw, mapArb, VIEW_BASE } from './reference/requests.js'

/**
 * The public Swiotlb against the kernel reference (test/reference/kernel-search.ts): request parsing
 * (pad offset, alignment, what is refused), then the search, seen through `addr`. Views lie in one
 * ArrayBuffer; the reference sees a view at bus address VIEW_BASE + byteOffset, a map by byte count
 * with no original address (orig_addr 0).
 */

const BUFFER = new ArrayBuffer(2 ** 22 + 270_000)

function pair(size: string, areas: number, backing = true) {
  const dma = new Swiotlb({ size, areas, backing, throttle: false })
  const pool = dma.stats().poolList[0]!
  const k = new KernelSwiotlb([new KernelPool(BigInt(pool.addr), pool.nslabs, areas)], areas)
  return { dma, k }
}

function dev(d: Pick<MapDraw, 'minAlignMask' | 'segBoundaryMask'>): KernelDevice {
  return { minAlignMask: BigInt(d.minAlignMask), segBoundaryMask: BigInt(d.segBoundaryMask) }
}

function view(offset: number, size: number): Uint8Array {
  return new Uint8Array(BUFFER, offset, size)
}

describe('issue 14 regressions (the kernel finds no room; we used to place them)', () => {
  it('stride: min_align_mask 0xfff gives a stride of 2 slots, not 1', () => {
    const { dma, k } = pair('256K', 1)
    const steps: Array<[number, number, { minAlignMask?: number; allocAlignMask?: number }]> = [
      [512, 4096, { minAlignMask: 0x7ff }],
      [630, 249_856, { minAlignMask: 0xfff }],
    ]
    const [m0] = steps.map(([offset, size, o]) => {
      const d = { minAlignMask: o.minAlignMask ?? 0, segBoundaryMask: 0 }
      const want = k.mapSingle(
        dev(d),
        0,
        VIEW_BASE + BigInt(offset),
        BigInt(size),
        BigInt(o.allocAlignMask ?? 0),
      )
      const got = dma.tryMap(view(offset, size), o)
      expect(got?.addr).toBe(want === undefined ? undefined : Number(want.tlbAddr))
      return { got, want, d }
    })
    m0!.got!.unmap()
    k.releaseSlots(dev(m0!.d), m0!.want!.tlbAddr)
    const m2 = dma.tryMap(view(2048, 2048), { allocAlignMask: 0xfff })!
    const k2 = k.mapSingle(dev({ minAlignMask: 0, segBoundaryMask: 0 }), 0, VIEW_BASE + 2048n, 2048n, 0xfffn)!
    expect(m2.addr).toBe(Number(k2.tlbAddr))
    m2.unmap()
    k.releaseSlots(dev({ minAlignMask: 0, segBoundaryMask: 0 }), k2.tlbAddr)
    expect(
      k.mapSingle(dev({ minAlignMask: 0xfff, segBoundaryMask: 0 }), 0, VIEW_BASE + 3615n, 2048n, 0n),
    ).toBe(undefined)
    expect(dma.tryMap(view(3615, 2048), { minAlignMask: 0xfff })).toBeUndefined()
  })

  it('free-run jump: not with a match mask, where a run reaching the area end wraps the kernel early', () => {
    const { dma, k } = pair('256K', 1)
    // Move the cursor to 22 and leave the area empty.
    dma.tryMap(view(0, 22 * 2048), { minAlignMask: 0x7ff })!.unmap()
    expect(dma.stats().areas[0]).toMatchObject({ used: 0 })
    k.pools[0]!.areas[0]!.index = 22
    const d = { minAlignMask: 0xffff, segBoundaryMask: 0 }
    expect(k.mapSingle(dev(d), 0, VIEW_BASE + 0x88800n, 190_464n, 0n)).toBeUndefined()
    expect(dma.tryMap(view(0x88800, 190_464), { minAlignMask: 0xffff })).toBeUndefined()
    // From cursor 0 the same request fits at slot 17, the only one that keeps bits 11..15.
    dma.tryMap(view(0, 106 * 2048), { minAlignMask: 0x7ff })!.unmap() // cursor 106 + 22 = 128 → 0
    expect(dma.tryMap(view(0x88800, 190_464), { minAlignMask: 0xffff })?.addr).toBe(
      dma.stats().poolList[0]!.addr + 17 * 2048,
    )
  })
})

describe('the public map path against the kernel reference', () => {
  it('property: tryMap places views where swiotlb_tbl_map_single does, refuses where it must', () => {
    const op = fc.oneof(
      { weight: 3, arbitrary: mapArb({ offsets: true, boundaries: true }) },
      { weight: 2, arbitrary: fc.nat() },
    )
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 8),
        fc.constantFrom(256, 512),
        fc.boolean(),
        fc.array(op, { maxLength: 40 }),
        (areas, perAreaKiB, backing, ops) => {
          const { dma, k } = pair(`${areas * perAreaKiB}K`, areas, backing)
          const live: Array<{ m: Mapping; d: KernelDevice; tlb: bigint }> = []
          for (const o of ops) {
            if (typeof o === 'number') {
              if (live.length === 0) continue
              const { m, d, tlb } = live.splice(o % live.length, 1)[0]!
              m.unmap()
              k.releaseSlots(d, tlb)
              continue
            }
            // Without backing a byte count has no address; a view keeps its offset either way.
            const offset = o.offset === undefined && backing ? 0 : o.offset
            const d = dev(o)
            const orig = offset === undefined ? 0n : VIEW_BASE + BigInt(offset)
            const want = k.mapSingle(d, o.cpu, orig, BigInt(o.size), BigInt(o.allocAlignMask))
            const options = {
              cpu: o.cpu,
              minAlignMask: o.minAlignMask,
              allocAlignMask: o.allocAlignMask,
              ...(o.segBoundaryMask === 0 ? {} : { segBoundaryMask: o.segBoundaryMask }),
            }
            let got: Mapping | undefined
            try {
              got = dma.tryMap(offset === undefined ? o.size : view(offset, o.size), options)
            } catch (error) {
              expect(error, JSON.stringify(o)).toBeInstanceOf(MappingTooLargeError)
              expect(want, `refused, yet the kernel places it: ${JSON.stringify(o)}`).toBeUndefined()
              continue
            }
            expect(got?.addr, JSON.stringify(o)).toBe(want === undefined ? undefined : Number(want.tlbAddr))
            if (got !== undefined && want !== undefined) {
              expect(got.slots).toBe(
                searchInputs(d, k.pools[0]!, orig, BigInt(o.size), BigInt(o.allocAlignMask)).nslots,
              )
              live.push({ m: got, d, tlb: want.tlbAddr })
            }
          }
          expect(dma.stats().areas.map((a) => a.used)).toEqual(k.pools[0]!.areas.map((a) => a.used))
        },
      ),
      params(150),
    )
  })

  it('property: MappingTooLargeError exactly when no slot of an empty 2 MiB pool would ever be taken', () => {
    // A 2 MiB pool has every pattern of address bits 11..20, so every mask here can be met in it (a
    // mask's bits above 20 are dropped: whether they can be met depends on where a pool lies). The
    // reference, in the same state, decides from the same cursor.
    const draws = mapArb({ offsets: true, boundaries: true }).map((o) => ({
      ...o,
      minAlignMask: o.minAlignMask & 0x1fffff,
    }))
    fc.assert(
      fc.property(draws, (o) => {
        const { dma, k } = pair('2M', 1, false)
        const pool = k.pools[0]!
        const d = dev(o)
        const offset = o.offset ?? 0
        const orig = VIEW_BASE + BigInt(offset)
        const { allocSize } = searchInputs(d, pool, orig, BigInt(o.size), BigInt(o.allocAlignMask))
        let placeable = false
        for (let s = 0; s < pool.nslabs && !placeable && allocSize <= 262_144n; s++) {
          placeable = slotAccepted(d, pool, s, orig, allocSize, BigInt(o.allocAlignMask))
        }
        const call = () =>
          dma.tryMap(view(offset, o.size), {
            minAlignMask: o.minAlignMask,
            allocAlignMask: o.allocAlignMask,
            ...(o.segBoundaryMask === 0 ? {} : { segBoundaryMask: o.segBoundaryMask }),
          })
        if (!placeable) {
          expect(call, JSON.stringify(o)).toThrow(MappingTooLargeError)
          return
        }
        const want = k.mapSingle(d, 0, orig, BigInt(o.size), BigInt(o.allocAlignMask))
        expect(call()?.addr, JSON.stringify(o)).toBe(want === undefined ? undefined : Number(want.tlbAddr))
      }),
      params(300),
    )
  })
})

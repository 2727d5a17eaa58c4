import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { NO_ORIG_ADDR } from '../../src/allocator/layout.js'
import { SwiotlbAllocator } from '../../src/allocator/swiotlb-allocator.js'
import { createBuffers } from '../../src/shared/handle.js'
import {
  A_INDEX,
  A_USED,
  areaAt,
  MODE_OFF,
  POOL_START,
  type SharedViews,
  viewsOf,
} from '../../src/shared/layout.js'
import { SharedPool } from '../../src/shared/shared-pool.js'
import { params } from '../helpers/fc-params.js'
import { KernelPool, searchInputs } from '../reference/kernel-search.js'
import { findArgs, type MapDraw, mapArb, VIEW_BASE } from '../reference/requests.js'

/**
 * The single-threaded Pool (through SwiotlbAllocator's one-pool path) and the shared pool's allocator
 * (SharedPool over SharedArrayBuffers) play the same random maps, unmaps and cursor moves, with every
 * mask of issue 14 (min_align_mask, alloc_align_mask, DMA segment boundary, buffer offsets, maps by
 * byte count). Both must place every request on the same slot or refuse it together, and hold the
 * same free-run counters, segment bounds, area cursors and area counts after every step: the search
 * is one (allocator/slot-table.ts), the area bookkeeping is each one's own.
 */

type Op =
  | { kind: 'map'; draw: MapDraw }
  | { kind: 'unmap'; pick: number }
  | { kind: 'cursor'; area: number; index: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: mapArb({ offsets: true, boundaries: true }).map((draw) => ({ kind: 'map' as const, draw })),
  },
  // Small maps, so that pools fill in many short runs and the search walks them.
  {
    weight: 3,
    arbitrary: mapArb({ offsets: false, boundaries: false }).map((draw) => ({
      kind: 'map' as const,
      draw: { ...draw, size: 1 + (draw.size % 12_000) },
    })),
  },
  { weight: 4, arbitrary: fc.nat().map((pick) => ({ kind: 'unmap' as const, pick })) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('cursor' as const), area: fc.nat(), index: fc.nat() }),
  },
)

const layoutArb = fc.record({ segments: fc.constantFrom(1, 2, 4, 8), areas: fc.constantFrom(1, 2, 4) })

interface Live {
  slot: number
  nslots: number
  addrOffset: number
}

function build(layout: { segments: number; areas: number }) {
  const nslabs = layout.segments * 128
  const nareas = Math.min(layout.areas, layout.segments)
  const single = new SwiotlbAllocator({ nslabs, nareas, backing: false, now: 0 })
  const handle = createBuffers({
    nslabs,
    nareas,
    hiwaterMode: MODE_OFF,
    batch: 1,
    intervalMs: 1,
    budget: -1,
    waiters: 1,
    backing: false,
  })
  const views = viewsOf(handle)
  return { single, views, shared: new SharedPool(views) }
}

function compare(single: SwiotlbAllocator, views: SharedViews, where: string): void {
  const pool = single.defaultPool
  expect([...views.table.counters()], `${where}: free-run counters`).toEqual([...pool.slots.counters()])
  expect([...views.table.longest], `${where}: segment bounds`).toEqual([...pool.slots.longest])
  pool.areas.forEach((area, a) => {
    const at = areaAt(a)
    expect([views.meta[at + A_USED], views.meta[at + A_INDEX]], `${where}: area ${a} used, cursor`).toEqual([
      area.used,
      area.index,
    ])
  })
}

function play(layout: { segments: number; areas: number }, ops: readonly Op[]): number {
  const { single, views, shared } = build(layout)
  const pool = single.defaultPool
  expect(pool.start).toBe(POOL_START)
  // The reference only turns a draw into the request's slots and masks, as swiotlb_tbl_map_single does.
  const kernel = new KernelPool(BigInt(pool.start), pool.nslabs, pool.nareas)
  const live: Live[] = []
  let placed = 0
  ops.forEach((op, i) => {
    const where = `step ${i} (${op.kind})`
    if (op.kind === 'cursor') {
      const area = op.area % pool.nareas
      const index = op.index % pool.areaNslabs
      pool.areas[area]!.index = index
      views.meta[areaAt(area) + A_INDEX] = index
    } else if (op.kind === 'unmap') {
      if (live.length === 0) return
      const m = live.splice(op.pick % live.length, 1)[0]!
      single.release(pool, m.slot, m.nslots)
      expect(shared.release(m.addrOffset, -1, -1, undefined), where).toBeUndefined()
      expect(shared.releasedSlots, where).toBe(m.nslots)
    } else {
      const d = op.draw
      const dev = { minAlignMask: BigInt(d.minAlignMask), segBoundaryMask: BigInt(d.segBoundaryMask) }
      const orig = d.offset === undefined ? 0n : VIEW_BASE + BigInt(d.offset)
      const inputs = searchInputs(dev, kernel, orig, BigInt(d.size), BigInt(d.allocAlignMask))
      if (inputs.allocSize > 262_144n) return // refused before any search, by both request layers
      const request = findArgs(d, inputs)
      const found = single.find(...request)
      const offset = Number(inputs.offset)
      const addrOffset = shared.find(...request, d.size, offset, false)
      const slot = found?.slot
      expect(
        addrOffset < 0 ? undefined : (addrOffset - offset) / 2048,
        `${where}: ${JSON.stringify(d)}`,
      ).toBe(slot)
      if (slot !== undefined) {
        live.push({ slot, nslots: inputs.nslots, addrOffset })
        placed++
      }
    }
    compare(single, views, `after ${where}`)
  })
  for (const m of live.splice(0)) {
    single.release(pool, m.slot, m.nslots)
    shared.release(m.addrOffset, -1, -1, undefined)
  }
  compare(single, views, 'after releasing all')
  expect(pool.used).toBe(0)
  return placed
}

describe('Pool and the shared pool run one search', () => {
  it('property: same slot or same refusal, same counters, bounds, cursors and counts, for every mask', () => {
    let placed = 0
    fc.assert(
      fc.property(layoutArb, fc.array(opArb, { maxLength: 80, size: 'max' }), (layout, ops) => {
        placed += play(layout, ops)
      }),
      params(150),
    )
    // The sequences place mappings, not only refuse them.
    expect(placed).toBeGreaterThan(1000)
  })

  it('a request with a DMA segment boundary is placed inside it by both', () => {
    // Slots 0..5 used: 4 slots under a 16 KiB boundary (8 slots) would cross it at slots 6 and 7, so
    // they go to slot 8; without the boundary they go to slot 6.
    for (const [boundaryMask, want] of [
      [0x3fff, 8],
      [0, 6],
    ] as const) {
      const { single, shared } = build({ segments: 1, areas: 1 })
      expect(single.find(0, 6, 2047, 0, NO_ORIG_ADDR, 0)?.slot).toBe(0)
      expect(shared.find(0, 6, 2047, 0, NO_ORIG_ADDR, 0, 6 * 2048, 0, false)).toBe(0)
      expect(single.find(0, 4, 2047, 0, NO_ORIG_ADDR, boundaryMask)?.slot).toBe(want)
      expect(shared.find(0, 4, 2047, 0, NO_ORIG_ADDR, boundaryMask, 4 * 2048, 0, false)).toBe(want * 2048)
    }
  })
})

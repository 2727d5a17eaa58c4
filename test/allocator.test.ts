import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { NO_ORIG_ADDR, SEGMENT_SLOTS, SLOT_SIZE } from '../src/allocator/layout.js'
import { parseBytes } from '../src/allocator/size.js'
import { SlotTable, slotTableBytes } from '../src/allocator/slot-table.js'
import { SwiotlbAllocator } from '../src/allocator/swiotlb-allocator.js'
import { params } from './helpers/fc-params.js'
import { checkPool, type SlotRange } from './helpers/pool-invariants.js'
import { allocatorPool } from './helpers/pools.js'

const SLOT_MASK = SLOT_SIZE - 1

describe('Pool: the free-run counter', () => {
  it('starts with each slot counting down to the end of its segment', () => {
    const p = allocatorPool(256)
    expect(p.slots.run(0)).toBe(128)
    expect(p.slots.run(127)).toBe(1)
    expect(p.slots.run(128)).toBe(128)
    checkPool(p, [])
  })

  it('a small pool counts to its own end (transient pools)', () => {
    const p = allocatorPool(3, 1, 'transient')
    expect([...p.slots.counters()]).toEqual([3, 2, 1])
  })

  it('allocates at the cursor, renumbers the run before it, and advances the cursor', () => {
    const p = allocatorPool(256)
    expect(p.search(0, 4, SLOT_MASK, 0, 0, 0)).toBe(0)
    expect(p.search(0, 2, SLOT_MASK, 0, 0, 0)).toBe(4)
    expect(p.areas[0]!.index).toBe(6)
    expect(p.slots.counters().slice(0, 8)).toEqual(new Uint8Array([0, 0, 0, 0, 0, 0, 122, 121]))
    p.release(0, 4)
    // Released slots merge with nothing after (slot 4 is used): 4, 3, 2, 1.
    expect(p.slots.counters().slice(0, 6)).toEqual(new Uint8Array([4, 3, 2, 1, 0, 0]))
    p.release(4, 2)
    checkPool(p, [])
  })

  it('never lets a mapping cross a segment', () => {
    const p = allocatorPool(256)
    expect(p.search(0, 100, SLOT_MASK, 0, 0, 0)).toBe(0)
    // 28 slots remain in segment 0; a 64-slot request must go to segment 1.
    expect(p.search(0, 64, SLOT_MASK, 0, 0, 0)).toBe(128)
    expect(p.search(0, 28, SLOT_MASK, 0, 0, 0)).toBe(192)
    // The cursor is at 220; 36 slots are left there, then it wraps to slot 100.
    expect(p.search(0, 36, SLOT_MASK, 0, 0, 0)).toBe(220)
    expect(p.search(0, 29, SLOT_MASK, 0, 0, 0)).toBe(-1)
    expect(p.search(0, 28, SLOT_MASK, 0, 0, 0)).toBe(100)
    checkPool(p, [
      [0, 100],
      [128, 64],
      [192, 28],
      [220, 36],
      [100, 28],
    ])
  })

  it('page alignment skips odd slots (stride 2)', () => {
    const p = allocatorPool(128)
    expect(p.search(0, 1, SLOT_MASK, 0, 0, 0)).toBe(0)
    expect(p.search(0, 2, 4095, 0, 0, 0)).toBe(2)
    expect(p.search(0, 1, SLOT_MASK, 0, 0, 0)).toBe(4)
    expect(p.search(0, 2, 4095, 0, 0, 0)).toBe(6)
  })

  it('keeps the bits of min_align_mask above the slot (match mask)', () => {
    const p = allocatorPool(128)
    // origAddr 0x1800 & 0x1fff: slot address bits 0x1800 must match → slot 3 of each 4.
    const slot = p.search(0, 1, SLOT_MASK, 0x1fff & ~SLOT_MASK, 0x1800, 0)
    expect(slot).toBe(3)
    expect((p.start + slot * SLOT_SIZE) & 0x1800).toBe(0x1800)
  })

  it('a full area rejects at once; the cursor wraps', () => {
    const p = allocatorPool(256, 2)
    expect(p.search(0, 128, SLOT_MASK, 0, 0, 0)).toBe(0)
    expect(p.search(0, 1, SLOT_MASK, 0, 0, 0)).toBe(-1)
    expect(p.search(1, 1, SLOT_MASK, 0, 0, 0)).toBe(128)
    p.release(0, 128)
    expect(p.areas[0]!.index).toBe(0)
    expect(p.search(0, 128, SLOT_MASK, 0, 0, 0)).toBe(0)
  })

  it('property: random allocations and releases keep every counter exact; releasing all restores the start', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('alloc' as const),
        n: fc.integer({ min: 1, max: 128 }),
        area: fc.nat(3),
        page: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const p = allocatorPool(512, 4)
        const initial = p.slots.counters()
        const live: SlotRange[] = []
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const slot = p.search(o.area, o.n, o.page ? 4095 : SLOT_MASK, 0, 0, 0)
            if (slot >= 0) {
              if (o.page) expect((slot * SLOT_SIZE) % 4096).toBe(0)
              expect(Math.floor((slot - p.areas[o.area]!.base) / p.areaNslabs)).toBe(0)
              live.push([slot, o.n])
            }
          } else if (live.length > 0) {
            const [first, n] = live.splice(o.pick % live.length, 1)[0]!
            p.release(first, n)
          }
          checkPool(p, live)
        }
        for (const [first, n] of live) p.release(first, n)
        expect(p.slots.counters()).toEqual(initial)
        expect(p.used).toBe(0)
      }),
      params(200),
    )
  })
})

describe('areas', () => {
  it('hold whole segments: a pool that cannot be split so is refused', () => {
    expect(() => allocatorPool(384, 2)).toThrow(/384 slots.*2 areas/)
    expect(allocatorPool(384, 1).areas).toHaveLength(1)
  })
})

describe('SwiotlbAllocator', () => {
  it('starts the search in the caller area and wraps through all areas', () => {
    const a = new SwiotlbAllocator({ nslabs: 512, nareas: 4, backing: false, now: 0 })
    expect(a.find(2, 1, SLOT_MASK, 0, 0, 0)?.slot).toBe(256)
    expect(a.find(7, 1, SLOT_MASK, 0, 0, 0)?.slot).toBe(384) // 7 & 3 = area 3
    expect(a.find(3, 128, SLOT_MASK, 0, 0, 0)?.slot).toBe(0) // area 3 has 127 left: wraps to area 0
    expect(a.used).toBe(130)
    expect(a.hiwater).toBe(130)
  })

  it('finds the pool of an address by binary search, and none between pools', () => {
    const a = new SwiotlbAllocator({ nslabs: 128, nareas: 1, backing: false, now: 0 })
    const pools = [a.defaultPool]
    for (let i = 0; i < 300; i++) pools.push(a.addPool('dynamic', 128, 1, 0))
    for (const p of [pools[0]!, pools[1]!, pools[150]!, pools[300]!]) {
      expect(a.poolOf(p.start)).toBe(p)
      expect(a.poolOf(p.end - 1)).toBe(p)
      expect(a.poolOf(p.end)).toBeUndefined()
    }
    expect(a.poolOf(0)).toBeUndefined()
    a.removePool(pools[150]!)
    expect(a.poolOf(pools[150]!.start)).toBeUndefined()
    expect(a.poolOf(pools[151]!.start)).toBe(pools[151])
    expect(a.nslabs).toBe(300 * 128)
  })

  it('searches the default pool first, then dynamic pools, and counts hiwater exactly', () => {
    const a = new SwiotlbAllocator({ nslabs: 128, nareas: 1, backing: false, now: 0 })
    const dyn = a.addPool('dynamic', 256, 2, 0)
    expect(a.find(0, 128, SLOT_MASK, 0, 0, 0)).toEqual({ pool: a.defaultPool, slot: 0 })
    expect(a.find(0, 10, SLOT_MASK, 0, 0, 0)).toEqual({ pool: dyn, slot: 0 })
    a.release(a.defaultPool, 0, 128)
    expect(a.used).toBe(10)
    expect(a.hiwater).toBe(138)
    a.resetHiwater()
    expect(a.hiwater).toBe(10)
  })

  it('keeps transient pools out of capacity, usage and the search', () => {
    const a = new SwiotlbAllocator({ nslabs: 128, nareas: 1, backing: false, now: 0 })
    const t = a.addPool('transient', 5, 1, 0)
    expect(a.nslabs).toBe(128)
    expect(a.transientNslabs).toBe(5)
    expect(a.findIn(t, 5, SLOT_MASK, 0, 0, 0)?.slot).toBe(0)
    expect(a.used).toBe(0)
    expect(a.poolOf(t.start + 3 * SLOT_SIZE)).toBe(t)
    a.release(t, 0, 5)
    a.removePool(t)
    expect(a.transientNslabs).toBe(0)
  })

  it('never removes the default pool or a pool in use', () => {
    const a = new SwiotlbAllocator({ nslabs: 128, nareas: 1, backing: false, now: 0 })
    expect(() => a.removePool(a.defaultPool)).toThrow(/default pool/)
    const d = a.addPool('dynamic', 128, 1, 0)
    a.findIn(d, 1, SLOT_MASK, 0, 0, 0)
    expect(() => a.removePool(d)).toThrow(/in use/)
  })
})

describe('parseBytes', () => {
  it('reads binary suffixes and plain numbers', () => {
    expect(parseBytes('size', '64M')).toBe(64 * 2 ** 20)
    expect(parseBytes('size', '1G')).toBe(2 ** 30)
    expect(parseBytes('size', '512K')).toBe(512 * 1024)
    expect(parseBytes('size', '1.5MiB')).toBe(1.5 * 2 ** 20)
    expect(parseBytes('size', 4096)).toBe(4096)
  })

  it('rejects bad values by name', () => {
    expect(() => parseBytes('size', '64X')).toThrow(/`size`.*"64X" \(string\)/)
    expect(() => parseBytes('size', -1)).toThrow(/got -1 \(number\)/)
    expect(() => parseBytes('size', 1.5)).toThrow(RangeError)
    expect(() => parseBytes('size', null)).toThrow(TypeError)
  })
})

describe('layout constants', () => {
  it('match the kernel', () => {
    expect(SLOT_SIZE).toBe(2048)
    expect(SEGMENT_SLOTS).toBe(128)
  })
})

describe('SlotTable: the free-run counter read from used bits', () => {
  /**
   * The kernel's io_tlb_slot.list, computed the slow way from which slots are used: free slots up to
   * the next used slot, the segment's end or the pool's end.
   */
  function naive(used: boolean[], slot: number): number {
    if (used[slot]) return 0
    let n = 0
    for (let i = slot; i < used.length && !used[i]; i++) {
      n++
      if ((i + 1) % SEGMENT_SLOTS === 0) break
    }
    return n
  }

  /** A table of `nslabs` slots with the slots `picks` name (modulo nslabs) used, and the same as booleans. */
  const tableWith = (nslabs: number, picks: number[]): { t: SlotTable; used: boolean[] } => {
    const t = new SlotTable(new Uint8Array(slotTableBytes(nslabs)), nslabs, 0)
    t.reset()
    const used = new Array<boolean>(nslabs).fill(false)
    for (const p of picks) {
      const slot = p % nslabs
      used[slot] = true
      t.bits[slot >>> 5]! |= 1 << (slot & 31)
    }
    return { t, used }
  }

  it('property: run(slot) is the kernel counter for any set of used slots, pool ends included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 * SEGMENT_SLOTS + 7 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (nslabs, picks) => {
          const { t, used } = tableWith(nslabs, picks)
          for (let i = 0; i < nslabs; i++) expect(t.run(i), `slot ${i}`).toBe(naive(used, i))
        },
      ),
      params(500),
    )
  })

  it('property: a search that finds nothing leaves each segment it scanned with its exact longest run', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).map((n) => n * SEGMENT_SLOTS),
        fc.array(fc.nat(), { minLength: 1, maxLength: 400 }),
        fc.nat(),
        (nslabs, picks, at) => {
          const { t, used } = tableWith(nslabs, picks)
          const longest = (g: number): number => {
            let max = 0
            for (let i = g * SEGMENT_SLOTS; i < (g + 1) * SEGMENT_SLOTS; i++)
              max = Math.max(max, naive(used, i))
            return max
          }
          const segments = nslabs / SEGMENT_SLOTS
          const wanted = Math.max(...Array.from({ length: segments }, (_, g) => longest(g))) + 1
          fc.pre(wanted <= SEGMENT_SLOTS)
          // Bounds start at 128 (reset): every segment may hold the request, so each is scanned.
          expect(t.search(0, nslabs, at % nslabs, wanted, SLOT_MASK, 0, NO_ORIG_ADDR, 0)).toBe(-1)
          for (let g = 0; g < segments; g++) expect(t.longest[g], `segment ${g}`).toBe(longest(g))
        },
      ),
      params(500),
    )
  })

  it('property: release clears its slots and returns the merged run, which bounds its segment', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 * SEGMENT_SLOTS + 5 }),
        fc.array(fc.nat(), { maxLength: 300 }),
        fc.nat(),
        fc.nat(),
        (nslabs, picks, at, len) => {
          const { t, used } = tableWith(nslabs, picks)
          const slot = at % nslabs
          const segmentEnd = Math.min(nslabs, (Math.floor(slot / SEGMENT_SLOTS) + 1) * SEGMENT_SLOTS)
          const n = 1 + (len % (segmentEnd - slot))
          for (let i = slot; i < slot + n; i++) used[i] = true
          for (let i = slot; i < slot + n; i++) t.bits[i >>> 5]! |= 1 << (i & 31)
          const merged = t.release(slot, n)
          for (let i = slot; i < slot + n; i++) used[i] = false
          let start = slot
          while (start % SEGMENT_SLOTS !== 0 && !used[start - 1]) start--
          expect(merged).toBe(naive(used, start))
          expect(t.longest[Math.floor(slot / SEGMENT_SLOTS)]).toBeGreaterThanOrEqual(merged)
          for (let i = 0; i < nslabs; i++) expect(t.run(i), `slot ${i}`).toBe(naive(used, i))
        },
      ),
      params(500),
    )
  })
})

import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { Pool } from '../src/allocator/pool.js'
import { PoolIndex } from '../src/allocator/pool-index.js'
import { SwiotlbAllocator } from '../src/allocator/swiotlb-allocator.js'
import { params } from './helpers/fc-params.js'

describe('PoolIndex: the max-tree of pool run bounds', () => {
  it('property: next(from, min) is the first pool at or after `from` with a bound >= min, after any updates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(128), { minLength: 1, maxLength: 70 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(128)), { maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(80), fc.integer({ min: 1, max: 128 })), { minLength: 1, maxLength: 20 }),
        (initial, updates, queries) => {
          const bounds = [...initial]
          const index = new PoolIndex(bounds)
          for (const [at, bound] of updates) {
            bounds[at % bounds.length] = bound
            index.set(at % bounds.length, bound)
          }
          expect(bounds.map((_, p) => index.get(p))).toEqual(bounds)
          for (const [from, min] of queries) {
            let want = -1
            for (let p = from; p < bounds.length; p++) {
              if (bounds[p]! >= min) {
                want = p
                break
              }
            }
            expect(index.next(from, min), `next(${from}, ${min}) over ${bounds}`).toBe(want)
          }
        },
      ),
      params(500),
    )
  })

  it('walks past a thousand full pools to the one with room', () => {
    const bounds = Array.from({ length: 1001 }, (_, p) => (p === 1000 ? 128 : 0))
    const index = new PoolIndex(bounds)
    expect(index.next(0, 1)).toBe(1000)
    index.set(1000, 0)
    expect(index.next(0, 1)).toBe(-1)
    index.set(3, 5)
    expect([index.next(0, 5), index.next(0, 6), index.next(4, 1)]).toEqual([3, -1, -1])
  })
})

describe('the search over many pools', () => {
  it('visits a full pool once, then goes straight to the pool with room; a release brings a pool back', () => {
    const a = new SwiotlbAllocator({ nslabs: 128, nareas: 1, backing: false, now: 0 })
    for (let i = 0; i < 200; i++) a.addPool('dynamic', 128, 1, 0)
    // Fill all but the last pool with one whole-segment mapping each. A map does not lower a pool's
    // bound in the index; each fill's search, passing the pools filled before, lowers theirs to 0.
    for (let p = 0; p < 200; p++)
      expect(a.find(0, 128, 2047, 0, -1, 0)).toEqual({ pool: a.pools[p], slot: 0 })
    const search = vi.spyOn(Pool.prototype, 'search')
    try {
      expect(a.find(0, 1, 2047, 0, -1, 0)).toEqual({ pool: a.pools[200], slot: 0 })
      // Only the pool filled last still had its old bound: visited once, it drops to 0.
      expect(search).toHaveBeenCalledTimes(2)
      search.mockClear()
      expect(a.find(0, 1, 2047, 0, -1, 0)?.slot).toBe(1)
      expect(search).toHaveBeenCalledTimes(1)
      a.release(a.pools[7]!, 0, 128)
      search.mockClear()
      expect(a.find(0, 2, 2047, 0, -1, 0)).toEqual({ pool: a.pools[7], slot: 0 })
      expect(search).toHaveBeenCalledTimes(1)
    } finally {
      search.mockRestore()
    }
  })
})

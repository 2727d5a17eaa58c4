import { SEGMENT_SLOTS } from '../../src/allocator/layout.js'
import type { Pool } from '../../src/allocator/pool.js'

/** Live allocations of a pool as [firstSlot, nslots]. */
export type SlotRange = readonly [number, number]

/**
 * Recomputes the free-run counters from scratch and compares them with the pool's: for each free slot,
 * the free contiguous slots from it to the end of its segment; 0 for a used slot. Also checks that no
 * two ranges overlap, none crosses a segment, and the area and pool counters add up.
 */
export function checkPool(pool: Pool, ranges: readonly SlotRange[]): void {
  const used = new Uint8Array(pool.nslabs)
  for (const [first, n] of ranges) {
    if (Math.floor(first / SEGMENT_SLOTS) !== Math.floor((first + n - 1) / SEGMENT_SLOTS)) {
      throw new Error(`range ${first}+${n} crosses a segment`)
    }
    for (let i = first; i < first + n; i++) {
      if (used[i]) throw new Error(`slot ${i} is in two ranges`)
      used[i] = 1
    }
  }
  const list = pool.slots.counters()
  let run = 0
  for (let i = pool.nslabs - 1; i >= 0; i--) {
    if ((i + 1) % SEGMENT_SLOTS === 0) run = 0
    run = used[i] ? 0 : run + 1
    if (list[i] !== run) throw new Error(`list[${i}] is ${list[i]}, expected ${run}`)
  }
  const total = used.reduce((a, b) => a + b, 0)
  if (pool.used !== total) throw new Error(`pool.used is ${pool.used}, expected ${total}`)
  for (const area of pool.areas) {
    let n = 0
    for (let i = area.base; i < area.base + area.nslabs; i++) n += used[i]!
    if (area.used !== n) throw new Error(`area at ${area.base}: used ${area.used}, expected ${n}`)
  }
}

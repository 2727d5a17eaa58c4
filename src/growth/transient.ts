import { SLOT_SIZE } from '../allocator/layout.js'
import type { Pool } from '../allocator/pool.js'
import type { SwiotlbAllocator } from '../allocator/swiotlb-allocator.js'

/**
 * A one-off pool of exactly `nslots` for a non-blocking request that found no room (the kernel's
 * transient pools, made with GFP_NOWAIT). The decision is synchronous: an `allocate` hook that answers
 * with a Promise counts as a refusal here. Returns undefined when refused.
 */
export function makeTransientPool(
  allocator: SwiotlbAllocator,
  nslots: number,
  now: number,
  allocate: ((bytes: number) => boolean | Promise<boolean>) | undefined,
): Pool | undefined {
  if (allocate !== undefined) {
    let answer: boolean | Promise<boolean>
    try {
      answer = allocate(nslots * SLOT_SIZE)
    } catch {
      return undefined
    }
    if (answer !== true) {
      if (answer instanceof Promise) answer.catch(() => {})
      return undefined
    }
  }
  return allocator.addPool('transient', nslots, 1, now)
}

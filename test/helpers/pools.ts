/** The pools tests start from: a whole `Swiotlb` on virtual time, or one bare allocator `Pool`. */
import { Pool, type PoolKind } from '../../src/allocator/pool.js'
import { Swiotlb, type SwiotlbOptions, VirtualClock } from '../../src/index.js'

export type TestPoolOptions = Omit<SwiotlbOptions, 'clock'>

/** A `Swiotlb` with `options` on a fresh `VirtualClock` (at 0, no timers). */
export function testPool(options: TestPoolOptions = {}): { clock: VirtualClock; dma: Swiotlb } {
  const clock = new VirtualClock()
  return { clock, dma: new Swiotlb({ ...options, clock }) }
}

/** A bare allocator pool of `nslabs` slots in `nareas` areas at bus address 4 GiB, accounting only. */
export function allocatorPool(nslabs: number, nareas = 1, kind: PoolKind = 'default'): Pool {
  return new Pool(kind, 2 ** 32, nslabs, nareas, undefined, 0)
}

import { SEGMENT_SLOTS, SLOT_SIZE } from '../index.js'

/**
 * What a mainline kernel makes of `swiotlb=<slabs>[,<areas>]` (kernel/dma/swiotlb.c, read for this
 * file: setup_io_tlb_npages, swiotlb_adjust_nareas, round_up_default_nslabs, limit_nareas):
 *
 * - the slot count is rounded up to whole segments: `ALIGN(slabs, IO_TLB_SEGSIZE)`;
 * - the area count (given, else `num_possible_cpus()` at init) is rounded up to a power of two;
 * - then round_up_default_nslabs runs: fewer slots than one segment per area become one segment per
 *   area, and a count that is not a power of two is rounded up to the next power of two (so that every
 *   area holds whole segments). So on a kernel with areas, the boot pool is always a power of two.
 */
export interface KernelPool {
  nslabs: number
  nareas: number
  bytes: number
}

/** The boot pool a kernel allocates for `swiotlb=<slabs>,<areas>` on a machine with `cpus` CPUs. */
export function kernelPool(slabs: number, areas: number | undefined, cpus: number): KernelPool {
  let nslabs = alignUp(slabs, SEGMENT_SLOTS)
  const nareas = roundUpPowerOfTwo(Math.max(1, areas ?? cpus))
  if (nslabs < SEGMENT_SLOTS * nareas) nslabs = SEGMENT_SLOTS * nareas
  else nslabs = roundUpPowerOfTwo(nslabs)
  return { nslabs, nareas, bytes: nslabs * SLOT_SIZE }
}

/**
 * The `swiotlb=` parameter for a pool of `bytes` split into `areas` areas on a machine with `cpus`
 * CPUs, and the pool the kernel will really allocate for it. The area count is written only when it is
 * not the kernel's own choice (CPUs rounded up to a power of two).
 */
export function bootParameter(
  bytes: number,
  areas: number,
  cpus: number,
): { parameter: string; pool: KernelPool } {
  const slabs = Math.ceil(bytes / SLOT_SIZE)
  const ownAreas = roundUpPowerOfTwo(Math.max(1, cpus))
  const pool = kernelPool(slabs, areas === ownAreas ? undefined : areas, cpus)
  const parameter = areas === ownAreas ? `swiotlb=${pool.nslabs}` : `swiotlb=${pool.nslabs},${areas}`
  return { parameter, pool }
}

export function roundUpPowerOfTwo(n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}

function alignUp(n: number, step: number): number {
  return Math.ceil(n / step) * step
}

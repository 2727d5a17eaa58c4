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
 * - on an x86 CoCo guest, swiotlb_adjust_size runs between the two (see KERNEL_DEFAULT_SLABS).
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
 * IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT: 64 MiB. swiotlb_adjust_size, which an x86 CoCo guest (SEV, TDX)
 * calls from mem_encrypt_setup_arch after the command line is parsed and before the pool is allocated,
 * reads a slot count equal to this as "no swiotlb= given" and replaces it with 6 % of the guest's
 * memory, clamped to [64 MiB, 1 GiB]. So `swiotlb=32768`, and `swiotlb=N,A` that rounds to 32768 as it
 * is parsed, do not give a CoCo guest a 64 MiB pool.
 */
export const KERNEL_DEFAULT_SLABS = 32768

export interface BootParameter {
  /** `swiotlb=<slabs>[,<areas>]`. */
  parameter: string
  /** The pool the kernel boots with for it. */
  pool: KernelPool
  /** Why the parameter is not simply the pool's slot count, when it is not. */
  note: string | undefined
}

const COCO_DEFAULT = 'reads as none given, which a CoCo guest replaces with 6 % of its memory'

/**
 * The `swiotlb=` parameter for a pool of `bytes` split into `areas` areas on a machine with `cpus`
 * CPUs, and the pool the kernel will really allocate for it. The area count is written only when it is
 * not the kernel's own choice (CPUs rounded up to a power of two). The slot count is written as the
 * power of two the kernel boots, except where that would be read as the default (KERNEL_DEFAULT_SLABS):
 * without areas it is then written as a count the kernel rounds up to it after that check; with areas
 * (rounded as they are parsed, before it) the next pool up is the one that can be asked for.
 */
export function bootParameter(bytes: number, areas: number, cpus: number): BootParameter {
  const slabs = Math.ceil(bytes / SLOT_SIZE)
  const ownAreas = roundUpPowerOfTwo(Math.max(1, cpus))
  if (areas === ownAreas) {
    const pool = kernelPool(slabs, undefined, cpus)
    if (pool.nslabs !== KERNEL_DEFAULT_SLABS)
      return { parameter: `swiotlb=${pool.nslabs}`, pool, note: undefined }
    const written = Math.min(alignUp(slabs, SEGMENT_SLOTS), KERNEL_DEFAULT_SLABS - SEGMENT_SLOTS)
    return {
      parameter: `swiotlb=${written}`,
      pool,
      note: `the kernel rounds ${written} slots up to a power of two; swiotlb=${KERNEL_DEFAULT_SLABS} itself ${COCO_DEFAULT}`,
    }
  }
  const asked = kernelPool(slabs, areas, cpus)
  if (asked.nslabs !== KERNEL_DEFAULT_SLABS)
    return { parameter: `swiotlb=${asked.nslabs},${areas}`, pool: asked, note: undefined }
  const pool = kernelPool(2 * KERNEL_DEFAULT_SLABS, areas, cpus)
  return {
    parameter: `swiotlb=${pool.nslabs},${areas}`,
    pool,
    note: `swiotlb=${KERNEL_DEFAULT_SLABS},${areas} would boot 64 MiB, but ${COCO_DEFAULT}`,
  }
}

export function roundUpPowerOfTwo(n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}

function alignUp(n: number, step: number): number {
  return Math.ceil(n / step) * step
}

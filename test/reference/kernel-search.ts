/**
 * A reference model of the kernel's swiotlb slot allocator, written for the differential tests from
 * kernel/dma/swiotlb.c (mainline since v6.10: the alloc_align_mask / iotlb_align_mask split of
 * swiotlb_search_pool_area and the pad slots of swiotlb_tbl_map_single) and include/linux/iommu-helper.h.
 * It does not use, and must not use, anything from src/allocator: it is the kernel's logic, one slot per
 * step, with addresses and masks as 64-bit BigInts so that C's unsigned arithmetic is kept as it is.
 *
 * Each function names the kernel function it mirrors. Left out: locking, the bounce copy, growth
 * (can_grow is false here), debugfs counters. Pools are searched in the order given: the kernel's
 * mem->pools list has the newest pool first (list_add_rcu at the head); this library searches the
 * default pool first and dynamic pools oldest first (docs/concepts.md), so the tests pass that order.
 */

const IO_TLB_SHIFT = 11n
const IO_TLB_SIZE = 2048n
const IO_TLB_SEGSIZE = 128
const PAGE_SIZE = 4096n
const ULONG_MAX = (1n << 64n) - 1n
const UINT_MAX = (1n << 32n) - 1n

/** What swiotlb reads from `struct device`: dma_get_min_align_mask, dma_get_seg_boundary. */
export interface KernelDevice {
  readonly minAlignMask: bigint
  /** dma_parms->segment_boundary_mask; 0 means not set (dma_get_seg_boundary then gives ULONG_MAX). */
  readonly segBoundaryMask: bigint
}

/** struct io_tlb_area. */
export interface KernelArea {
  index: number
  used: number
}

/** struct io_tlb_pool with its io_tlb_slot array split into parallel arrays. */
export class KernelPool {
  readonly areaNslabs: number
  readonly areas: KernelArea[] = []
  /** io_tlb_slot.list: free slots from here to the end of the segment. */
  readonly list: number[] = []
  readonly allocSize: bigint[] = []
  readonly padSlots: number[] = []

  /** swiotlb_init_io_tlb_pool. */
  constructor(
    readonly start: bigint,
    readonly nslabs: number,
    readonly nareas: number,
  ) {
    this.areaNslabs = Math.floor(nslabs / nareas)
    for (let i = 0; i < nareas; i++) this.areas.push({ index: 0, used: 0 })
    for (let i = 0; i < nslabs; i++) {
      this.list.push(IO_TLB_SEGSIZE - ioTlbOffset(i))
      this.allocSize.push(0n)
      this.padSlots.push(0)
    }
  }

  get end(): bigint {
    return this.start + (BigInt(this.nslabs) << IO_TLB_SHIFT)
  }
}

/** io_tlb_offset. */
function ioTlbOffset(i: number): number {
  return i & (IO_TLB_SEGSIZE - 1)
}

/** nr_slots: DIV_ROUND_UP(val, IO_TLB_SIZE). */
function nrSlots(val: bigint): number {
  return Number((val + IO_TLB_SIZE - 1n) / IO_TLB_SIZE)
}

/** slot_addr. */
function slotAddr(start: bigint, idx: number): bigint {
  return start + (BigInt(idx) << IO_TLB_SHIFT)
}

/** get_max_slots. */
function getMaxSlots(boundaryMask: bigint): bigint {
  return (boundaryMask >> IO_TLB_SHIFT) + 1n
}

/** dma_get_seg_boundary. */
function dmaGetSegBoundary(dev: KernelDevice): bigint {
  return dev.segBoundaryMask === 0n ? ULONG_MAX : dev.segBoundaryMask
}

/** iommu_is_span_boundary (include/linux/iommu-helper.h). */
function iommuIsSpanBoundary(index: number, nr: number, shift: bigint, boundarySize: bigint): boolean {
  if ((boundarySize & (boundarySize - 1n)) !== 0n) throw new Error('BUG: boundary size not a power of 2')
  const s = (shift + BigInt(index)) & (boundarySize - 1n)
  return s + BigInt(nr) > boundarySize
}

/** swiotlb_align_offset: the bits of `addr` under min_align_mask and (align_mask | IO_TLB_SIZE - 1). */
export function swiotlbAlignOffset(dev: KernelDevice, alignMask: bigint, addr: bigint): bigint {
  return addr & dev.minAlignMask & (alignMask | (IO_TLB_SIZE - 1n))
}

/** wrap_area_index. */
function wrapAreaIndex(pool: KernelPool, index: number): number {
  return index >= pool.areaNslabs ? 0 : index
}

/** ALIGN for a power-of-two alignment. */
function align(x: bigint, a: bigint): bigint {
  return (x + a - 1n) & ~(a - 1n)
}

/** What swiotlb_search_pool_area derives from the request before its loop. */
interface SearchSetup {
  readonly tblDmaAddr: bigint
  readonly maxSlots: bigint
  readonly allocAlignMask: bigint
  readonly iotlbAlignMask: bigint
  readonly nslots: number
  readonly stride: number
}

/** The preamble of swiotlb_search_pool_area. */
function setup(
  dev: KernelDevice,
  pool: KernelPool,
  allocSize: bigint,
  allocAlignMaskIn: bigint,
): SearchSetup {
  const boundaryMask = dmaGetSegBoundary(dev)
  let iotlbAlignMask = dev.minAlignMask
  let allocAlignMask = allocAlignMaskIn
  const nslots = nrSlots(allocSize)
  if (nslots === 0) throw new Error('BUG: no slots')
  // Page alignment for PAGE_SIZE or larger when nothing else asks for alignment (the historical rule).
  if (allocAlignMask === 0n && iotlbAlignMask === 0n && allocSize >= PAGE_SIZE)
    allocAlignMask = PAGE_SIZE - 1n
  // At least slot-aligned; the min_align_mask bits inside the allocation alignment are kept by offsetting.
  allocAlignMask |= IO_TLB_SIZE - 1n
  iotlbAlignMask &= ~allocAlignMask & UINT_MAX
  return {
    tblDmaAddr: pool.start & boundaryMask,
    maxSlots: getMaxSlots(boundaryMask),
    allocAlignMask,
    iotlbAlignMask,
    nslots,
    stride: Number(getMaxSlots(allocAlignMask > iotlbAlignMask ? allocAlignMask : iotlbAlignMask)),
  }
}

/** The loop's first test: is the slot's address aligned, and does it keep orig_addr's bits? */
function slotMatches(st: SearchSetup, slotIndex: number, origAddr: bigint): boolean {
  const tlbAddr = slotAddr(st.tblDmaAddr, slotIndex)
  return !(
    (tlbAddr & st.allocAlignMask) !== 0n ||
    (origAddr !== 0n && (tlbAddr & st.iotlbAlignMask) !== (origAddr & st.iotlbAlignMask))
  )
}

/** The loop's second test: no boundary crossed, and a free run long enough from the slot. */
function slotFits(st: SearchSetup, pool: KernelPool, slotIndex: number): boolean {
  return (
    !iommuIsSpanBoundary(slotIndex, st.nslots, BigInt(nrSlots(st.tblDmaAddr)), st.maxSlots) &&
    pool.list[slotIndex]! >= st.nslots
  )
}

/** Would the loop of swiotlb_search_pool_area take `slotIndex`, were it to visit it? */
export function slotAccepted(
  dev: KernelDevice,
  pool: KernelPool,
  slotIndex: number,
  origAddr: bigint,
  allocSize: bigint,
  allocAlignMask: bigint,
): boolean {
  const st = setup(dev, pool, allocSize, allocAlignMask)
  return slotMatches(st, slotIndex, origAddr) && slotFits(st, pool, slotIndex)
}

/** swiotlb_search_pool_area: the slot loop. Returns the first slot index in the pool, or -1. */
export function searchPoolArea(
  dev: KernelDevice,
  pool: KernelPool,
  areaIndex: number,
  origAddr: bigint,
  allocSize: bigint,
  allocAlignMask: bigint,
): number {
  const area = pool.areas[areaIndex]!
  const offset = swiotlbAlignOffset(dev, 0n, origAddr)
  const st = setup(dev, pool, allocSize, allocAlignMask)
  const nslots = st.nslots
  if (nslots > pool.areaNslabs - area.used) return -1
  const slotBase = areaIndex * pool.areaNslabs
  let index = area.index
  let slotIndex = -1
  let found = false
  for (let slotsChecked = 0; slotsChecked < pool.areaNslabs; ) {
    slotIndex = slotBase + index
    if (!slotMatches(st, slotIndex, origAddr)) {
      index = wrapAreaIndex(pool, index + 1)
      slotsChecked++
      continue
    }
    if (slotFits(st, pool, slotIndex)) {
      found = true
      break
    }
    index = wrapAreaIndex(pool, index + st.stride)
    slotsChecked += st.stride
  }
  if (!found) return -1

  // found: mark the run used, renumber the free slots before it back to the segment start.
  for (let i = slotIndex; i < slotIndex + nslots; i++) {
    pool.list[i] = 0
    pool.allocSize[i] = allocSize - (offset + (BigInt(i - slotIndex) << IO_TLB_SHIFT))
  }
  let count = 0
  for (let i = slotIndex - 1; ioTlbOffset(i) !== IO_TLB_SEGSIZE - 1 && pool.list[i] !== 0; i--) {
    pool.list[i] = ++count
  }
  area.index = wrapAreaIndex(pool, index + nslots)
  area.used += nslots
  return slotIndex
}

/** The pools of one io_tlb_mem, in search order, and default_nareas. */
export class KernelSwiotlb {
  constructor(
    readonly pools: KernelPool[],
    readonly defaultNareas: number,
  ) {}

  /** swiotlb_search_area: one area offset in every pool. */
  searchArea(
    dev: KernelDevice,
    startCpu: number,
    cpuOffset: number,
    origAddr: bigint,
    allocSize: bigint,
    allocAlignMask: bigint,
  ): { pool: KernelPool; index: number } | undefined {
    for (const pool of this.pools) {
      if (cpuOffset >= pool.nareas) continue
      const areaIndex = (startCpu + cpuOffset) & (pool.nareas - 1)
      const index = searchPoolArea(dev, pool, areaIndex, origAddr, allocSize, allocAlignMask)
      if (index >= 0) return { pool, index }
    }
    return undefined
  }

  /** swiotlb_find_slots (CONFIG_SWIOTLB_DYNAMIC, can_grow false). */
  findSlots(
    dev: KernelDevice,
    cpu: number,
    origAddr: bigint,
    allocSize: bigint,
    allocAlignMask: bigint,
  ): { pool: KernelPool; index: number } | undefined {
    if (allocSize > BigInt(IO_TLB_SEGSIZE) * IO_TLB_SIZE) return undefined
    for (let i = 0; i < this.defaultNareas; i++) {
      const found = this.searchArea(dev, cpu, i, origAddr, allocSize, allocAlignMask)
      if (found !== undefined) return found
    }
    return undefined
  }

  /**
   * swiotlb_tbl_map_single without the bounce: the bus address of the mapping, or undefined
   * ("swiotlb buffer is full"). `origAddr` 0 is the kernel's "no original address".
   */
  mapSingle(
    dev: KernelDevice,
    cpu: number,
    origAddr: bigint,
    mappingSize: bigint,
    allocAlignMask: bigint,
  ): { pool: KernelPool; slot: number; tlbAddr: bigint } | undefined {
    let offset = swiotlbAlignOffset(dev, allocAlignMask, origAddr)
    const size = align(mappingSize + offset, allocAlignMask + 1n)
    const found = this.findSlots(dev, cpu, origAddr, size, allocAlignMask)
    if (found === undefined) return undefined
    const padSlots = Number(offset >> IO_TLB_SHIFT)
    offset &= IO_TLB_SIZE - 1n
    const index = found.index + padSlots
    found.pool.padSlots[index] = padSlots
    return { pool: found.pool, slot: found.index, tlbAddr: slotAddr(found.pool.start, index) + offset }
  }

  /** swiotlb_find_pool. */
  findPool(addr: bigint): KernelPool | undefined {
    return this.pools.find((p) => addr >= p.start && addr < p.end)
  }

  /** swiotlb_release_slots. */
  releaseSlots(dev: KernelDevice, tlbAddr: bigint): void {
    const mem = this.findPool(tlbAddr)
    if (mem === undefined) throw new Error(`BUG: ${tlbAddr} is in no pool`)
    const offset = swiotlbAlignOffset(dev, 0n, tlbAddr)
    let index = Number((tlbAddr - offset - mem.start) >> IO_TLB_SHIFT)
    index -= mem.padSlots[index]!
    const nslots = nrSlots(mem.allocSize[index]! + offset)
    const area = mem.areas[Math.floor(index / mem.areaNslabs)]!
    let count =
      index + nslots < Number(align(BigInt(index + 1), BigInt(IO_TLB_SEGSIZE)))
        ? mem.list[index + nslots]!
        : 0
    // Step 1: the returned slots, merged with the free run after them.
    for (let i = index + nslots - 1; i >= index; i--) {
      mem.list[i] = ++count
      mem.allocSize[i] = 0n
      mem.padSlots[i] = 0
    }
    // Step 2: the free run before them, back to the segment start.
    for (let i = index - 1; ioTlbOffset(i) !== IO_TLB_SEGSIZE - 1 && mem.list[i] !== 0; i--) {
      mem.list[i] = ++count
    }
    area.used -= nslots
  }
}

/**
 * The values swiotlb_tbl_map_single and swiotlb_search_pool_area derive before the loop, for feeding the
 * same request to another implementation: slots, the final alloc_align_mask and iotlb_align_mask, the
 * bytes before the mapping's address (pad slots and kept low bits), and the padded size.
 */
export function searchInputs(
  dev: KernelDevice,
  pool: KernelPool,
  origAddr: bigint,
  mappingSize: bigint,
  allocAlignMask: bigint,
): { nslots: number; allocSize: bigint; alignMask: bigint; matchMask: bigint; offset: bigint } {
  const offset = swiotlbAlignOffset(dev, allocAlignMask, origAddr)
  const allocSize = align(mappingSize + offset, allocAlignMask + 1n)
  const st = setup(dev, pool, allocSize, allocAlignMask)
  return { nslots: st.nslots, allocSize, alignMask: st.allocAlignMask, matchMask: st.iotlbAlignMask, offset }
}

/** Bytes in one slot (IO_TLB_SIZE, 1 << IO_TLB_SHIFT). */
export const SLOT_SIZE = 2048
export const SLOT_SHIFT = 11
/** Slots in one segment (IO_TLB_SEGSIZE): no mapping crosses a segment boundary. */
export const SEGMENT_SLOTS = 128
/** The largest mapping: one segment (swiotlb_max_mapping_size without a min_align_mask). */
export const MAX_MAPPING_BYTES = SEGMENT_SLOTS * SLOT_SIZE
/** IO_TLB_DEFAULT_SIZE. */
export const DEFAULT_POOL_BYTES = 64 * 1024 * 1024
export const PAGE_SIZE = 4096

/** Slots needed for `bytes` (nr_slots). */
export function slotsFor(bytes: number): number {
  return Math.ceil(bytes / SLOT_SIZE)
}

/** swiotlb_max_mapping_size: 256 KiB, less roundup(minAlignMask, 2048) when a mask is set. */
export function maxMappingBytes(minAlignMask: number): number {
  if (minAlignMask === 0) return MAX_MAPPING_BYTES
  return MAX_MAPPING_BYTES - Math.ceil(minAlignMask / SLOT_SIZE) * SLOT_SIZE
}

/** `origAddr` of a request with no original address (a map by byte count): the kernel's orig_addr 0. */
export const NO_ORIG_ADDR = -1

/**
 * The slots between two DMA segment boundaries (get_max_slots of the mask), where a boundary can fall
 * inside a swiotlb segment; 0 when it cannot. Pools start 2 MiB aligned and segments are 256 KiB, so a
 * boundary of 256 KiB or more (and 0, no boundary: dma_get_seg_boundary's ULONG_MAX) never splits one.
 */
export function boundarySlots(boundaryMask: number): number {
  return boundaryMask === 0 || boundaryMask >= MAX_MAPPING_BYTES - 1 ? 0 : (boundaryMask >>> SLOT_SHIFT) + 1
}

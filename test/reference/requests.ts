import fc from 'fast-check'
import { NO_ORIG_ADDR } from '../../src/allocator/layout.js'

/** Masks the differential tests draw from (issue 14): 0xf800 is not of the form 2^k − 1. */
export const MIN_ALIGN_MASKS = [0, 0x7ff, 0xfff, 0xf800, 0xffff, 0x1fffff] as const
export const ALLOC_ALIGN_MASKS = [0, 0xfff, 0x3fff, 0xffff, 0x3ffff] as const
/** 0: no DMA segment boundary (dma_get_seg_boundary's ULONG_MAX); 0xfff: storvsc before 2021. */
export const BOUNDARY_MASKS = [0, 0xfff, 0x7fff, 0xffff, 0x3ffff, 0xffffffff] as const

/** The bus address the reference gives a view's buffer: low 32 bits 0, so its bits are the offset's. */
export const VIEW_BASE = 2n ** 32n

export interface MapDraw {
  readonly cpu: number
  readonly size: number
  /** Buffer offset (its low bits are what min_align_mask keeps), or undefined for a map by byte count. */
  readonly offset: number | undefined
  readonly minAlignMask: number
  readonly allocAlignMask: number
  readonly segBoundaryMask: number
}

/** Sizes from one byte to a little past one segment, crowding the edges of slots and segments. */
export const sizeArb = fc.oneof(
  fc.integer({ min: 1, max: 8192 }),
  fc.integer({ min: 1, max: 128 }).map((slots) => slots * 2048),
  fc.integer({ min: 1, max: 262_144 + 4096 }),
  fc.integer({ min: 253_952, max: 262_144 }),
)

/**
 * Any min_align_mask the API takes (bits below 2^30), not only the 2^k − 1 devices use: a few random
 * bits, mostly among 11..21 where they meet slot and segment bits, or a random mask of any bits.
 */
const anyBitsArb = fc.oneof(
  fc
    .uniqueArray(fc.integer({ min: 0, max: 21 }), { minLength: 1, maxLength: 4 })
    .map((bits) => bits.reduce((mask, b) => mask | (1 << b), 0)),
  fc.integer({ min: 0, max: 2 ** 30 - 1 }),
)

export function mapArb(options: { offsets: boolean; boundaries: boolean }): fc.Arbitrary<MapDraw> {
  return fc.record({
    cpu: fc.nat(7),
    size: sizeArb,
    offset: options.offsets
      ? fc.oneof(
          fc.integer({ min: 0, max: 2 ** 22 - 1 }),
          fc.nat(2 ** 10 - 1).map((k) => k * 2048),
          fc.constant(undefined),
        )
      : fc.constant(undefined),
    minAlignMask: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...MIN_ALIGN_MASKS) },
      { weight: 1, arbitrary: anyBitsArb },
    ),
    allocAlignMask: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...ALLOC_ALIGN_MASKS, 0, 0) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }).map((k) => 2 ** k - 1) },
    ),
    segBoundaryMask: options.boundaries ? fc.constantFrom(...BOUNDARY_MASKS, 0, 0) : fc.constant(0),
  })
}

/**
 * A draw as the allocators' `find` takes it (cpu, slots, alignment mask, match mask, original address,
 * boundary), from the slots and masks the reference derived for it (searchInputs).
 */
export function findArgs(
  d: MapDraw,
  inputs: { readonly nslots: number; readonly alignMask: bigint; readonly matchMask: bigint },
): readonly [number, number, number, number, number, number] {
  const orig = d.offset === undefined ? NO_ORIG_ADDR : d.offset
  return [d.cpu, inputs.nslots, Number(inputs.alignMask), Number(inputs.matchMask), orig, d.segBoundaryMask]
}

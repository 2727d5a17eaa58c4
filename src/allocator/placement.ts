import { boundarySlots, NO_ORIG_ADDR, SEGMENT_SLOTS, SLOT_SHIFT } from './layout.js'

/** The address bits inside one segment (256 KiB): a segment's start has them all 0, in every pool. */
const IN_SEGMENT = SEGMENT_SLOTS * 2 ** SLOT_SHIFT - 1

/**
 * The most slots a request with these masks can ever get, in an empty segment of some pool: the kernel's
 * search takes a start slot only where its address passes `alignMask`, matches `origAddr` under
 * `matchMask`, and leaves the run inside one segment and between two DMA segment boundaries.
 *
 * Address bits above a segment (256 KiB and up) are left out: some segment of some pool has them as the
 * request needs (segment 0 of the default pool is aligned to every mask), so only the bits inside a
 * segment decide whether a request can never be placed. A request of more slots than this is refused
 * at once; one of fewer may still find no room in the pools of the moment.
 */
export function placeableSlots(
  alignMask: number,
  matchMask: number,
  origAddr: number,
  boundaryMask: number,
): number {
  const match = origAddr === NO_ORIG_ADDR ? 0 : matchMask & IN_SEGMENT
  const want = origAddr & match
  const span = boundarySlots(boundaryMask)
  if (span === 0) {
    // The first start slot that matches is `want`'s slot; the bits of matchMask are above alignMask's,
    // so it is aligned too, and the run may reach the segment's end.
    return SEGMENT_SLOTS - (want >>> SLOT_SHIFT)
  }
  let best = 0
  for (let s = 0; s < SEGMENT_SLOTS; s++) {
    const low = s << SLOT_SHIFT
    if ((low & alignMask & IN_SEGMENT) !== 0 || (low & match) !== want) continue
    const room = Math.min(SEGMENT_SLOTS - s, span - (s & (span - 1)))
    if (room > best) best = room
  }
  return best
}

import { SlotTable } from '../allocator/slot-table.js'

/**
 * Where the shared pool keeps its state: four SharedArrayBuffers (five with backing memory), the same
 * memory in every thread that attached. Every number lives at a fixed index, so a thread needs nothing
 * but the buffers to work on the pool.
 *
 *   meta (Int32Array, one 128-byte line per counter group, so that groups never share a cache line):
 *     line 0   config, written once: magic, version, nslabs, nareas, areaNslabs, hiwater mode, batch,
 *              budget (slots), waiter capacity, backing, sampling interval
 *     line 1   exact mode: used, hiwater (mem->total_used, mem->used_hiwater: one line, as in the kernel)
 *     line 2   batched mode: global count, hiwater (percpu_counter.count)
 *     line 3   sampled mode: hiwater
 *     line 4   queue: lock, head, tail, free list, waiting
 *     line 5   blocking budget in use
 *     line 6   slow-path counters: failures, waits, grants, timeouts, aborts
 *     line 8+  one line per area: lock, index, used, hiwater, batched delta, generation
 *   list    (17 bytes per segment)   the slot table (allocator/slot-table.ts): a used bit per slot,
 *                                    from which the kernel's free-run counters (io_tlb_slot.list)
 *                                    are read, then a bound per segment
 *   slots   (Int32Array, 4 × nslabs) per slot holding a mapping's address: size, first slot,
 *                                    nslots | blocking | low address bits, generation
 *   waiters (Int32Array, 16 × capacity) the blocking FIFO's records (see wait-queue.ts)
 *   memory  (Uint8Array, nslabs × 2048) the bounce buffers, when backing is on
 */

/** Int32 words per cache-line group (128 bytes: adjacent-line prefetch pairs 64-byte lines). */
export const LINE = 32

export const MAGIC = 0x53574954 // 'SWIT'
/**
 * 2: the list buffer holds the per-segment bounds after the counters. 3: it holds a used bit per slot
 * (four words per segment) instead of the counters, then the bounds.
 */
export const VERSION = 3

// line 0: config
export const C_MAGIC = 0
export const C_VERSION = 1
export const C_NSLABS = 2
export const C_NAREAS = 3
export const C_AREA_NSLABS = 4
export const C_HIWATER_MODE = 5
export const C_BATCH = 6
export const C_BUDGET = 7
export const C_WAITERS = 8
export const C_BACKING = 9
export const C_INTERVAL_MS = 10

// line 1: exact mode
export const EXACT_USED = LINE
export const EXACT_HIWATER = LINE + 1
// line 2: batched mode
export const BATCHED_COUNT = 2 * LINE
export const BATCHED_HIWATER = 2 * LINE + 1
// line 3: sampled mode
export const SAMPLED_HIWATER = 3 * LINE
// line 4: the queue
export const Q_LOCK = 4 * LINE
export const Q_HEAD = 4 * LINE + 1
export const Q_TAIL = 4 * LINE + 2
export const Q_FREE = 4 * LINE + 3
export const Q_WAITING = 4 * LINE + 4
// line 5: budget
export const BLOCKING_USED = 5 * LINE
// line 6: counters
export const N_FAILURES = 6 * LINE
export const N_WAITS = 6 * LINE + 1
export const N_GRANTS = 6 * LINE + 2
export const N_TIMEOUTS = 6 * LINE + 3
export const N_ABORTS = 6 * LINE + 4

/** First area line. */
const AREAS = 8 * LINE
// offsets within an area line
export const A_LOCK = 0
export const A_INDEX = 1
export const A_USED = 2
export const A_HIWATER = 3
export const A_DELTA = 4
export const A_GENERATION = 5

/** Index in meta of area `a`'s line. */
export function areaAt(a: number): number {
  return AREAS + a * LINE
}

export function metaWords(nareas: number): number {
  return AREAS + nareas * LINE
}

// slot records: 4 words per slot, written at the slot holding a mapping's address
export const SLOT_WORDS = 4
export const S_SIZE = 0
export const S_FIRST = 1
/** nslots (bits 0..7) | blocking (bit 8) | low address bits within the slot (bits 9..19). */
export const S_SHAPE = 2
export const S_GENERATION = 3

export function shape(nslots: number, blocking: boolean, low: number): number {
  return nslots | (blocking ? 0x100 : 0) | (low << 9)
}
export const shapeSlots = (s: number): number => s & 0xff
export const shapeBlocking = (s: number): boolean => (s & 0x100) !== 0
export const shapeLow = (s: number): number => s >>> 9

/** Bus address of slot 0: the single-threaded Swiotlb's default pool starts here too. */
export const POOL_START = 2 ** 32

/** The hiwater modes, by their number in meta. */
export const HIWATER_MODES = ['off', 'exact', 'per-area', 'batched', 'sampled'] as const
export type HiwaterMode = (typeof HIWATER_MODES)[number]
export const MODE_OFF = 0
export const MODE_EXACT = 1
export const MODE_PER_AREA = 2
export const MODE_BATCHED = 3
export const MODE_SAMPLED = 4

/** The buffers of one shared pool: what a handle carries to another thread. */
export interface SharedBuffers {
  readonly meta: SharedArrayBuffer
  readonly list: SharedArrayBuffer
  readonly slots: SharedArrayBuffer
  readonly waiters: SharedArrayBuffer
  readonly memory: SharedArrayBuffer | undefined
}

/** Typed views of the buffers, one set per thread. */
export interface SharedViews {
  readonly meta: Int32Array
  /** The slot state and the area search, the single-threaded Pool's own (slot-table.ts). */
  readonly table: SlotTable
  readonly slots: Int32Array
  readonly waiters: Int32Array
  readonly memory: Uint8Array | undefined
  readonly nslabs: number
  readonly nareas: number
  readonly areaNslabs: number
}

export function viewsOf(buffers: SharedBuffers): SharedViews {
  const meta = new Int32Array(buffers.meta)
  const table = new SlotTable(new Uint8Array(buffers.list), meta[C_NSLABS]!, POOL_START % 2 ** 30)
  return {
    meta,
    table,
    slots: new Int32Array(buffers.slots),
    waiters: new Int32Array(buffers.waiters),
    memory: buffers.memory === undefined ? undefined : new Uint8Array(buffers.memory),
    nslabs: meta[C_NSLABS]!,
    nareas: meta[C_NAREAS]!,
    areaNslabs: meta[C_AREA_NSLABS]!,
  }
}

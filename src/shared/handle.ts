import { SLOT_SIZE } from '../allocator/layout.js'
import { SlotTable, slotTableBytes } from '../allocator/slot-table.js'
import { ArgumentTypeError } from '../errors.js'
import {
  C_AREA_NSLABS,
  C_BACKING,
  C_BATCH,
  C_BUDGET,
  C_HIWATER_MODE,
  C_INTERVAL_MS,
  C_MAGIC,
  C_NAREAS,
  C_NSLABS,
  C_VERSION,
  C_WAITERS,
  MAGIC,
  metaWords,
  POOL_START,
  Q_FREE,
  Q_HEAD,
  Q_TAIL,
  type SharedBuffers,
  SLOT_WORDS,
  VERSION,
} from './layout.js'
import { RECORD_WORDS } from './wait-queue.js'

/**
 * What passes to another thread: the pool's buffers. postMessage shares SharedArrayBuffers (it does
 * not copy them), so the receiving thread's `SharedSwiotlb.attach(handle)` works on the same memory.
 */
export interface SharedSwiotlbHandle extends SharedBuffers {
  readonly kind: 'dma-throttle/shared-swiotlb'
}

export interface PoolConfig {
  nslabs: number
  nareas: number
  hiwaterMode: number
  batch: number
  intervalMs: number
  budget: number
  waiters: number
  backing: boolean
}

const Int32 = Int32Array.BYTES_PER_ELEMENT

/** Allocates and initialises the buffers of a new pool (swiotlb_init_io_tlb_pool). */
export function createBuffers(c: PoolConfig): SharedSwiotlbHandle {
  const meta = new SharedArrayBuffer(metaWords(c.nareas) * Int32)
  const m = new Int32Array(meta)
  m[C_MAGIC] = MAGIC
  m[C_VERSION] = VERSION
  m[C_NSLABS] = c.nslabs
  m[C_NAREAS] = c.nareas
  m[C_AREA_NSLABS] = c.nslabs / c.nareas
  m[C_HIWATER_MODE] = c.hiwaterMode
  m[C_BATCH] = c.batch
  m[C_BUDGET] = c.budget
  m[C_WAITERS] = c.waiters
  m[C_BACKING] = c.backing ? 1 : 0
  m[C_INTERVAL_MS] = c.intervalMs
  m[Q_HEAD] = -1
  m[Q_TAIL] = -1
  m[Q_FREE] = 0
  const list = new SharedArrayBuffer(slotTableBytes(c.nslabs))
  new SlotTable(new Uint8Array(list), c.nslabs, POOL_START % 2 ** 30).reset()
  const waiters = new SharedArrayBuffer(c.waiters * RECORD_WORDS * Int32)
  const w = new Int32Array(waiters)
  for (let r = 0; r < c.waiters; r++) w[r * RECORD_WORDS + 1] = r + 1 < c.waiters ? r + 1 : -1
  return Object.freeze({
    kind: 'dma-throttle/shared-swiotlb',
    meta,
    list,
    slots: new SharedArrayBuffer(c.nslabs * SLOT_WORDS * Int32),
    waiters,
    memory: c.backing ? new SharedArrayBuffer(c.nslabs * SLOT_SIZE) : undefined,
  })
}

const EXPECTED = 'a SharedSwiotlb handle (pool.handle, passed with postMessage)'

/** Checks that `value` is a handle of this version whose buffers agree with its config. */
export function checkHandle(value: unknown): SharedSwiotlbHandle {
  if (typeof value !== 'object' || value === null) throw new ArgumentTypeError('handle', EXPECTED, value)
  const h = value as Partial<Record<keyof SharedSwiotlbHandle, unknown>>
  const sabs = [h.meta, h.list, h.slots, h.waiters]
  if (h.kind !== 'dma-throttle/shared-swiotlb' || !sabs.every((b) => b instanceof SharedArrayBuffer)) {
    throw new ArgumentTypeError('handle', EXPECTED, value)
  }
  const meta = h.meta as SharedArrayBuffer
  if (meta.byteLength < metaWords(0) * Int32) throw new ArgumentTypeError('handle', EXPECTED, value)
  const m = new Int32Array(meta)
  const nslabs = m[C_NSLABS]!
  const ok =
    m[C_MAGIC] === MAGIC &&
    m[C_VERSION] === VERSION &&
    meta.byteLength === metaWords(m[C_NAREAS]!) * Int32 &&
    (h.list as SharedArrayBuffer).byteLength === slotTableBytes(nslabs) &&
    (h.slots as SharedArrayBuffer).byteLength === nslabs * SLOT_WORDS * Int32 &&
    (h.waiters as SharedArrayBuffer).byteLength === m[C_WAITERS]! * RECORD_WORDS * Int32 &&
    (m[C_BACKING] === 1
      ? h.memory instanceof SharedArrayBuffer && h.memory.byteLength === nslabs * SLOT_SIZE
      : h.memory === undefined)
  if (!ok) throw new ArgumentTypeError('handle', `${EXPECTED} of version ${VERSION}`, value)
  return h as SharedSwiotlbHandle
}

import { NO_ORIG_ADDR, PAGE_SIZE, SEGMENT_SLOTS, SLOT_SIZE } from '../allocator/layout.js'
import { placeableSlots } from '../allocator/placement.js'
import { ArgumentRangeError, ArgumentTypeError, MappingTooLargeError } from '../errors.js'
import type { MappingDirection } from '../stats/types.js'
import { FixedRequest, MapShape } from './map-request.js'
import type { MapOptions } from './options.js'
import { isResizable, readView, ViewParts } from './view.js'

const DIRS: ReadonlySet<unknown> = new Set(['to-device', 'from-device', 'bidirectional'])
const MAP_OPTION_KEYS: ReadonlySet<string> = new Set([
  'mayBlock',
  'dir',
  'device',
  'cpu',
  'minAlignMask',
  'allocAlignMask',
  'segBoundaryMask',
  'signal',
  'timeoutMs',
])

/** A mask of the form 2^k - 1 below 2^30 (alloc_align_mask). */
export function isMask(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n < 2 ** 30 && (n & (n + 1)) === 0
}

/** Any bits below 2^30 (min_align_mask; the kernel's unsigned int also takes bits 30-31: docs/api.md). */
export function isBitMask(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n < 2 ** 30
}

/** A DMA segment boundary mask: 2^k - 1 of at least one slot (2047), up to 2^53 - 1. */
function isBoundaryMask(n: unknown): n is number {
  return (
    typeof n === 'number' &&
    Number.isSafeInteger(n) &&
    n >= SLOT_SIZE - 1 &&
    Number.isInteger(Math.log2(n + 1))
  )
}

const parts = new ViewParts()

/**
 * One parsed map request. A Swiotlb keeps one and refills it on every call, so the uncontended path
 * allocates nothing for the request itself; a request that must wait is copied into a PendingMap.
 */
export class RequestSpec {
  orig: Uint8Array | undefined = undefined
  sizeBytes = 0
  nslots = 0
  alignMask = 0
  matchMask = 0
  origAddr = 0
  /** Bytes from the start of the allocation to `addr` (pad slots and kept low bits). */
  offset = 0
  minAlignMask = 0
  /** The DMA segment boundary (dma_get_seg_boundary); 0: none. */
  boundaryMask = 0
  dir: MappingDirection = 'bidirectional'
  device = 'default'
  cpu = 0
  mayBlock = false
  signal: AbortSignal | undefined = undefined
  /** The signal as read once at parse time: `aborted`, `reason` (when aborted), and its two methods. */
  signalAborted = false
  signalReason: unknown = undefined
  signalAdd: SignalMethod | undefined = undefined
  signalRemove: SignalMethod | undefined = undefined
  timeoutMs = Number.POSITIVE_INFINITY
  #shape: MapShape | undefined = undefined

  #request: FixedRequest | undefined = undefined

  /** This request's MapShape: the one made last while it still fits (most requests place alike). */
  shape(): MapShape {
    const last = this.#shape
    if (last?.fits(this)) return last
    const shape = new MapShape(this)
    this.#shape = shape
    return shape
  }

  /**
   * This request as a Mapping keeps it (see FixedRequest): without bytes, the one made last while it
   * still fits.
   */
  request(blocking: boolean): FixedRequest {
    const shape = this.shape()
    // One with bytes is never shared, nor kept here: it would hold the caller's buffer.
    if (this.orig !== undefined) return new FixedRequest(this, shape, blocking)
    const last = this.#request
    if (last?.fits(this, shape, blocking)) return last
    const request = new FixedRequest(this, shape, blocking)
    this.#request = request
    return request
  }

  /**
   * Reads `buf` and the options, computing slots and alignment as swiotlb_tbl_map_single does.
   * Throws TypeError/RangeError/MappingTooLargeError before anything changes.
   */
  parse(buf: unknown, mayBlock: unknown, backing: boolean): void {
    this.#options(mayBlock)
    let origAddr = NO_ORIG_ADDR
    if (typeof buf === 'number') {
      if (backing)
        throw new ArgumentTypeError('buf', 'an ArrayBufferView (a byte count needs backing: false)', buf)
      if (!Number.isSafeInteger(buf) || buf < 1)
        throw new ArgumentRangeError('buf', 'a whole number of bytes >= 1', buf)
      this.sizeBytes = buf
      this.orig = undefined
    } else if (readView(buf, parts)) {
      // Sizes come from the view's internal slots (intrinsic getters), never from a subclass's getter.
      const size = parts.byteLength
      const buffer = parts.buffer!
      parts.buffer = undefined
      if (size < 1)
        throw new ArgumentRangeError('buf.byteLength', 'at least 1 (is the buffer detached?)', size)
      this.sizeBytes = size
      origAddr = parts.byteOffset
      // A view of a resizable buffer may track its length: pin it to `size` bytes, so that a buffer
      // grown later never copies past the mapping. Any view that is not a plain Uint8Array gets a
      // plain one over the same bytes, so that no subclass method is ever called on it.
      this.orig = backing
        ? parts.isUint8 && Object.getPrototypeOf(buf) === Uint8Array.prototype && !isResizable(buffer)
          ? (buf as Uint8Array)
          : new Uint8Array(buffer, origAddr, size)
        : undefined
    } else {
      throw new ArgumentTypeError(
        'buf',
        backing ? 'an ArrayBufferView' : 'a byte count or an ArrayBufferView',
        buf,
      )
    }
    const size = this.sizeBytes
    const minMask = this.minAlignMask
    // swiotlb_search_pool_area: page alignment for >= PAGE_SIZE when no mask says otherwise.
    let alignMask = this.alignMask
    const given = alignMask
    if (alignMask === 0 && minMask === 0 && size >= PAGE_SIZE) alignMask = PAGE_SIZE - 1
    alignMask |= SLOT_SIZE - 1
    // swiotlb_tbl_map_single: the kept low bits (and pad slots) come before the bytes. A map by byte
    // count has no original address: nothing to keep (the kernel's orig_addr 0).
    const offset = origAddr === NO_ORIG_ADDR ? 0 : origAddr & minMask & alignMask
    const allocBytes = Math.ceil((size + offset) / (given + 1)) * (given + 1)
    const nslots = Math.ceil(allocBytes / SLOT_SIZE)
    const matchMask = minMask & ~alignMask
    // Refuse only what no pool could ever place: more than a segment, or, with a match mask or a
    // boundary, more than the slots from the first start slot the masks allow to the segment's end.
    const boundaryMask = this.boundaryMask
    const most =
      matchMask === 0 && boundaryMask === 0
        ? SEGMENT_SLOTS
        : placeableSlots(alignMask, matchMask, origAddr, boundaryMask)
    if (nslots > most) {
      const largest = Math.max(0, Math.floor((most * SLOT_SIZE) / (given + 1)) * (given + 1) - offset)
      const plain = most === SEGMENT_SLOTS && offset === 0 && given < SLOT_SIZE
      throw new MappingTooLargeError(
        size,
        largest,
        plain ? 'one swiotlb segment' : 'in one segment, at this buffer offset with these masks',
      )
    }
    this.alignMask = alignMask
    this.matchMask = matchMask
    this.origAddr = origAddr
    this.offset = offset
    this.nslots = nslots
  }

  #options(options: unknown): void {
    this.dir = 'bidirectional'
    this.device = 'default'
    this.cpu = 0
    this.minAlignMask = 0
    this.alignMask = 0
    this.boundaryMask = 0
    this.signal = undefined
    this.signalAborted = false
    this.signalReason = undefined
    this.signalAdd = undefined
    this.signalRemove = undefined
    this.timeoutMs = Number.POSITIVE_INFINITY
    if (options === undefined || typeof options === 'boolean') {
      this.mayBlock = options === true
      return
    }
    if (typeof options !== 'object' || options === null) {
      throw new ArgumentTypeError('mayBlock', 'a boolean or a MapOptions object', options)
    }
    const o = options as MapOptions
    // A misspelt key (`mayblock`) would silently change the call's meaning: refuse unknown keys.
    for (const key in o)
      if (!MAP_OPTION_KEYS.has(key))
        throw new ArgumentRangeError('options', `one of the keys ${[...MAP_OPTION_KEYS].join(', ')}`, key)
    const { mayBlock, dir, device, cpu, minAlignMask, allocAlignMask, segBoundaryMask, signal, timeoutMs } = o
    if (mayBlock !== undefined && typeof mayBlock !== 'boolean')
      throw new ArgumentTypeError('mayBlock', 'a boolean', mayBlock)
    this.mayBlock = mayBlock === true
    if (dir !== undefined) {
      if (!DIRS.has(dir))
        throw new ArgumentRangeError('dir', "'to-device', 'from-device' or 'bidirectional'", dir)
      this.dir = dir
    }
    if (device !== undefined) {
      if (typeof device !== 'string') throw new ArgumentTypeError('device', 'a string', device)
      this.device = device
    }
    if (cpu !== undefined) {
      if (typeof cpu !== 'number' || !Number.isSafeInteger(cpu) || cpu < 0) {
        throw new ArgumentRangeError('cpu', 'a whole number >= 0', cpu)
      }
      this.cpu = cpu
    }
    if (minAlignMask !== undefined) {
      if (!isBitMask(minAlignMask))
        throw new ArgumentRangeError('minAlignMask', 'a bit mask, a whole number in [0, 2^30)', minAlignMask)
      this.minAlignMask = minAlignMask
    }
    if (allocAlignMask !== undefined) {
      if (!isMask(allocAlignMask))
        throw new ArgumentRangeError('allocAlignMask', 'a mask of the form 2^k - 1', allocAlignMask)
      this.alignMask = allocAlignMask
    }
    if (segBoundaryMask !== undefined) {
      if (!isBoundaryMask(segBoundaryMask))
        throw new ArgumentRangeError(
          'segBoundaryMask',
          'a mask of the form 2^k - 1, at least 2047',
          segBoundaryMask,
        )
      this.boundaryMask = segBoundaryMask
    }
    if (signal !== undefined) this.#signal(signal)
    if (timeoutMs !== undefined) {
      if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
        throw new ArgumentRangeError('timeoutMs', 'a number of ms >= 0', timeoutMs)
      }
      this.timeoutMs = timeoutMs
    }
  }

  /**
   * Reads the signal once: `aborted`, `reason` when aborted, and both listener methods, which must be
   * functions. A getter that throws or a missing method is an ArgumentTypeError naming `signal`; the
   * wait path later calls the methods it read here, never the signal's properties again.
   */
  #signal(signal: unknown): void {
    const expected = 'an AbortSignal (aborted, reason, addEventListener and removeEventListener readable)'
    if (typeof signal !== 'object' || signal === null) throw new ArgumentTypeError('signal', expected, signal)
    let aborted: unknown
    let reason: unknown
    let add: unknown
    let remove: unknown
    try {
      const s = signal as AbortSignal
      aborted = s.aborted
      reason = aborted === true ? s.reason : undefined
      add = s.addEventListener
      remove = s.removeEventListener
    } catch {
      throw new ArgumentTypeError('signal', expected, signal)
    }
    if (typeof aborted !== 'boolean' || typeof add !== 'function' || typeof remove !== 'function')
      throw new ArgumentTypeError('signal', expected, signal)
    this.signal = signal as AbortSignal
    this.signalAborted = aborted
    this.signalReason = reason
    this.signalAdd = add as SignalMethod
    this.signalRemove = remove as SignalMethod
  }
}

/** addEventListener / removeEventListener as read from a signal, called with the signal as `this`. */
export type SignalMethod = (type: string, listener: () => void, options?: unknown) => void

/** Calls a signal's method read at parse time; `Reflect.apply` is captured, the caller cannot swap it. */
export const callSignal: typeof Reflect.apply = Reflect.apply

import { DEFAULT_POOL_BYTES, SEGMENT_SLOTS, SLOT_SIZE } from '../allocator/layout.js'
import { parseBytes } from '../allocator/size.js'
import type { Clock } from '../clock/clock.js'
import { realClock } from '../clock/real-clock.js'
import { ArgumentRangeError, ArgumentTypeError, isRecord, onlyKeys } from '../errors.js'
import { DEFAULT_CHUNK_BYTES, type GrowthConfig } from '../growth/config.js'
import { normalizeBackground, normalizeSearchOrder, normalizeTransient } from '../growth/normalize.js'
import type { MappingDirection } from '../stats/types.js'
import type { ThrottleConfig, ThrottleMode } from '../throttle/policy.js'

export interface ThrottleOptions {
  /** Fraction of capacity: the blocking budget (budget mode) or the RFC's high mark. Default 0.70. */
  high?: number
  /**
   * The blocking budget in bytes, instead of `high`: a whole number of bytes from one slot (2048) to
   * the pool's size, rounded down to whole slots; it stays fixed when the pool grows.
   */
  budgetBytes?: number
  /** Fraction of capacity: the RFC's low mark (serialize mode). Default 0.65. */
  low?: number
  /**
   * 'budget' (default, blk-mq tags), 'fair-share' (the budget with one FIFO per device and a capped
   * share each, blk-mq hctx_may_queue) or 'serialize' (Michael Kelley's RFC).
   */
  mode?: ThrottleMode
  /** Alias of `mode: 'fair-share'` (the older spelling); refused with mode 'serialize'. */
  fairShare?: boolean
  /**
   * Mode 'serialize' only: what a blocking request that finds no slots does. 'wait' (default) keeps it
   * waiting for a release; 'fail' rejects it with SwiotlbFullError, as the RFC does.
   */
  whenFull?: 'fail' | 'wait'
}

export interface GrowthOptions {
  /** Limit on all pools together (default, dynamic, transient). Default: no limit. */
  maxBytes?: number | string
  /** Size of each grow. Default 4 MiB. */
  chunkBytes?: number | string
  /** Grow when the oldest blocking waiter has waited this long (ms). Default: never. */
  waitMs?: number
  /**
   * The background worker: grow when usage crosses `atUsage` of capacity, and/or (`onFailure`, as
   * mainline's SWIOTLB_DYNAMIC) when a search finds no slots.
   */
  background?: { atUsage?: number; onFailure?: boolean }
  /**
   * Give a failed non-blocking request a one-off pool of its exact size. An object takes those pools
   * from the kernel's atomic DMA pools (`atomicPoolBytes` each, `atomicPools` of them, default 3;
   * `expand`ed in the background, default true), and refuses when they are spent.
   */
  transient?: boolean | { atomicPoolBytes: number | string; atomicPools?: number; expand?: boolean }
  /** 'oldest-first' (default: young pools drain, so they can shrink) or 'newest-first' (mainline). */
  searchOrder?: 'oldest-first' | 'newest-first'
  /** Time a grow takes on the clock. Default 0. */
  cost?: { fixedMs?: number; perMiBMs?: number }
  /** Return a dynamic pool that stayed empty this long (ms). Default: never. */
  shrinkAfterMs?: number
  /** Fault injection: answer false (or a Promise of false) to refuse a grow of `bytes`. */
  allocate?: (bytes: number) => boolean | Promise<boolean>
}

export interface SwiotlbOptions {
  /** Bytes of the default pool, or a string like '64M'. Rounded up to a segment (256 KiB). */
  size?: number | string
  /** Areas of the default pool: a power of two, each at least one segment. Default 1. */
  areas?: number
  /** Own an ArrayBuffer per pool and really bounce bytes (default), or keep accounting only. */
  backing?: boolean
  clock?: Clock
  /** `false`: no throttling (blocking calls fail fast, the kernel today); an object: throttle. */
  throttle?: false | ThrottleOptions
  growth?: false | GrowthOptions
}

export interface MapOptions {
  /** The caller may sleep (DMA_ATTR_MAY_BLOCK): wait in the throttle's queue. Default false. */
  mayBlock?: boolean
  dir?: MappingDirection
  /** Device name, for stats, events and fair share. Default 'default'. */
  device?: string
  /** CPU of the caller: the search starts in area `cpu & (nareas - 1)`. Default 0. */
  cpu?: number
  /**
   * The device's min_align_mask: these bits of the buffer's offset are kept in `addr` (any bits below
   * 2^30; devices use 2^k - 1; the kernel also takes bits 30-31, see docs/api.md). A map by byte count keeps none.
   */
  minAlignMask?: number
  /** Alignment of the allocation's start (a mask, 2^k - 1). */
  allocAlignMask?: number
  /** The device's DMA segment boundary (dma_get_seg_boundary, 2^k - 1): no mapping crosses it. */
  segBoundaryMask?: number
  signal?: AbortSignal
  /** Longest time to wait in the queue, ms; then ThrottleTimeoutError. */
  timeoutMs?: number
}

export interface NormalizedOptions {
  nslabs: number
  nareas: number
  backing: boolean
  clock: Clock
  throttle: false | ThrottleConfig
  growth: false | GrowthConfig
}

export function fraction(what: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw new ArgumentTypeError(what, 'a number in (0, 1]', value)
  if (!(value > 0 && value <= 1)) throw new ArgumentRangeError(what, 'a number in (0, 1]', value)
  return value
}

export function nonNegative(what: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number') throw new ArgumentTypeError(what, 'a finite number of ms >= 0', value)
  if (!(value >= 0 && value < Number.POSITIVE_INFINITY)) {
    throw new ArgumentRangeError(what, 'a finite number of ms >= 0', value)
  }
  return value
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0
}

/** Validates every option at once; throws before anything is built. */
export function normalizeOptions(options: unknown): NormalizedOptions {
  if (options === undefined) options = {}
  if (!isRecord(options)) throw new ArgumentTypeError('options', 'an object', options)
  onlyKeys('options', options, ['size', 'areas', 'backing', 'clock', 'throttle', 'growth'])
  const sizeBytes = options['size'] === undefined ? DEFAULT_POOL_BYTES : parseBytes('size', options['size'])
  if (sizeBytes < SLOT_SIZE * SEGMENT_SLOTS) {
    throw new ArgumentRangeError(
      'size',
      `at least one segment (${SLOT_SIZE * SEGMENT_SLOTS} bytes)`,
      options['size'],
    )
  }
  const segments = Math.ceil(sizeBytes / (SLOT_SIZE * SEGMENT_SLOTS))
  const nareas = options['areas'] ?? 1
  if (typeof nareas !== 'number') throw new ArgumentTypeError('areas', 'a power of two', nareas)
  if (!isPowerOfTwo(nareas)) throw new ArgumentRangeError('areas', 'a power of two', nareas)
  if (segments < nareas) {
    throw new ArgumentRangeError('areas', `at most ${segments} (one segment per area)`, nareas)
  }
  // Every area holds whole segments, so no mapping crosses from one area into the next: the size is
  // rounded up to a segment (as the kernel does) and then to a whole number of segments per area.
  const nslabs = Math.ceil(segments / nareas) * nareas * SEGMENT_SLOTS
  const backing = options['backing'] ?? true
  if (typeof backing !== 'boolean') throw new ArgumentTypeError('backing', 'a boolean', backing)
  const clock = options['clock'] ?? realClock
  if (
    !isRecord(clock) ||
    typeof clock['now'] !== 'function' ||
    typeof clock['setTimer'] !== 'function' ||
    typeof clock['clearTimer'] !== 'function'
  ) {
    throw new ArgumentTypeError('clock', 'a Clock with now(), setTimer() and clearTimer()', clock)
  }
  // The clock is read once here: a now() that throws or answers something that is not a time is the
  // clock's fault, reported as such (not as a bad size when the first pool is stamped).
  let nowMs: unknown
  try {
    nowMs = (clock as unknown as Clock).now()
  } catch (error) {
    throw new ArgumentTypeError('clock', `a Clock whose now() returns (it threw: ${String(error)})`, clock)
  }
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs))
    throw new ArgumentTypeError('clock.now()', 'a finite number of ms', nowMs)
  return {
    nslabs,
    nareas,
    backing,
    clock: clock as unknown as Clock,
    throttle: normalizeThrottle(options['throttle'], nslabs),
    growth: normalizeGrowth(options['growth'], nslabs * SLOT_SIZE),
  }
}

/** `throttle.budgetBytes` in slots, and the fraction of `nslabs` it is. */
function budgetSlots(value: unknown, nslabs: number): { slots: number; high: number } {
  const poolBytes = nslabs * SLOT_SIZE
  const expected = `a whole number of bytes from ${SLOT_SIZE} to the pool's ${poolBytes}`
  if (typeof value !== 'number') throw new ArgumentTypeError('throttle.budgetBytes', expected, value)
  if (!Number.isSafeInteger(value) || value < SLOT_SIZE || value > poolBytes)
    throw new ArgumentRangeError('throttle.budgetBytes', expected, value)
  const slots = Math.floor(value / SLOT_SIZE)
  return { slots, high: slots / nslabs }
}

function normalizeThrottle(value: unknown, nslabs: number): NormalizedOptions['throttle'] {
  if (value === false) return false
  if (value === undefined) value = {}
  if (!isRecord(value)) throw new ArgumentTypeError('throttle', 'false or an object', value)
  onlyKeys('throttle', value, ['high', 'low', 'mode', 'fairShare', 'budgetBytes', 'whenFull'])
  if (value['budgetBytes'] !== undefined && value['high'] !== undefined)
    throw new ArgumentRangeError('throttle.high', 'absent when throttle.budgetBytes is given', value['high'])
  const fixed = value['budgetBytes'] === undefined ? undefined : budgetSlots(value['budgetBytes'], nslabs)
  const high = fixed?.high ?? fraction('throttle.high', value['high'], 0.7)
  const low = fraction('throttle.low', value['low'], Math.min(0.65, high))
  if (low > high) throw new ArgumentRangeError('throttle.low', `at most throttle.high (${high})`, low)
  const mode = value['mode'] ?? 'budget'
  if (mode !== 'budget' && mode !== 'fair-share' && mode !== 'serialize')
    throw new ArgumentRangeError('throttle.mode', "'budget', 'fair-share' or 'serialize'", mode)
  // `fairShare: true` is the older spelling of mode 'fair-share', accepted with mode 'budget' as before.
  const fairShare = value['fairShare'] ?? false
  if (typeof fairShare !== 'boolean')
    throw new ArgumentTypeError('throttle.fairShare', 'a boolean', fairShare)
  if (fairShare && mode === 'serialize')
    throw new ArgumentRangeError('throttle.fairShare', "false with mode 'serialize'", fairShare)
  const whenFull = value['whenFull'] ?? 'wait'
  if (whenFull !== 'fail' && whenFull !== 'wait')
    throw new ArgumentRangeError('throttle.whenFull', "'fail' or 'wait'", whenFull)
  if (whenFull === 'fail' && mode !== 'serialize')
    throw new ArgumentRangeError('throttle.whenFull', "'wait' unless mode is 'serialize'", whenFull)
  return { high, low, mode: fairShare ? 'fair-share' : mode, whenFull, budgetSlots: fixed?.slots }
}

/**
 * Validates `setThrottle`'s argument against the current thresholds: `{ high?, low? }`, each in (0, 1],
 * low ≤ high once applied. Returns the thresholds to apply; throws before anything changes.
 */
export function normalizeRetune(
  value: unknown,
  current: ThrottleConfig,
  nslabs: number,
): { high: number; low: number; budgetSlots: number | undefined } {
  if (!isRecord(value))
    throw new ArgumentTypeError('throttle', 'an object { high?, low? } or { budgetBytes }', value)
  onlyKeys('throttle', value, ['high', 'low', 'budgetBytes'])
  if (value['budgetBytes'] !== undefined) {
    if (value['high'] !== undefined)
      throw new ArgumentRangeError(
        'throttle.high',
        'absent when throttle.budgetBytes is given',
        value['high'],
      )
    const fixed = budgetSlots(value['budgetBytes'], nslabs)
    const low = fraction('throttle.low', value['low'], Math.min(current.low, fixed.high))
    if (low > fixed.high) throw new ArgumentRangeError('throttle.low', `at most ${fixed.high}`, low)
    return { high: fixed.high, low, budgetSlots: fixed.slots }
  }
  const high = fraction('throttle.high', value['high'], current.high)
  const low = fraction(
    'throttle.low',
    value['low'],
    value['high'] === undefined ? current.low : Math.min(current.low, high),
  )
  if (low > high) throw new ArgumentRangeError('throttle.low', `at most throttle.high (${high})`, low)
  return { high, low, budgetSlots: value['high'] === undefined ? current.budgetSlots : undefined }
}

function normalizeGrowth(value: unknown, defaultBytes: number): false | GrowthConfig {
  if (value === false || value === undefined) return false
  if (!isRecord(value)) throw new ArgumentTypeError('growth', 'false or an object', value)
  onlyKeys('growth', value, [
    'maxBytes',
    'chunkBytes',
    'waitMs',
    'background',
    'transient',
    'searchOrder',
    'cost',
    'shrinkAfterMs',
    'allocate',
  ])
  const maxBytes =
    value['maxBytes'] === undefined
      ? Number.POSITIVE_INFINITY
      : parseBytes('growth.maxBytes', value['maxBytes'])
  if (maxBytes < defaultBytes) {
    throw new ArgumentRangeError(
      'growth.maxBytes',
      `at least the pool size (${defaultBytes} bytes)`,
      value['maxBytes'],
    )
  }
  const chunkBytes =
    value['chunkBytes'] === undefined
      ? DEFAULT_CHUNK_BYTES
      : parseBytes('growth.chunkBytes', value['chunkBytes'])
  if (chunkBytes < SLOT_SIZE * SEGMENT_SLOTS || chunkBytes % (SLOT_SIZE * SEGMENT_SLOTS) !== 0) {
    throw new ArgumentRangeError(
      'growth.chunkBytes',
      'a positive multiple of 256 KiB (one segment)',
      value['chunkBytes'],
    )
  }
  const background = normalizeBackground(value['background'])
  const transient = normalizeTransient(value['transient'])
  const searchOrder = normalizeSearchOrder(value['searchOrder'])
  const cost = value['cost'] ?? {}
  if (!isRecord(cost)) throw new ArgumentTypeError('growth.cost', 'an object { fixedMs, perMiBMs }', cost)
  onlyKeys('growth.cost', cost, ['fixedMs', 'perMiBMs'])
  const allocate = value['allocate']
  if (allocate !== undefined && typeof allocate !== 'function') {
    throw new ArgumentTypeError(
      'growth.allocate',
      'a function (bytes) => boolean | Promise<boolean>',
      allocate,
    )
  }
  return {
    maxBytes,
    chunkBytes,
    waitMs: nonNegative('growth.waitMs', value['waitMs']),
    ...background,
    searchOrder,
    ...transient,
    cost: {
      fixedMs: nonNegative('growth.cost.fixedMs', cost['fixedMs']) ?? 0,
      perMiBMs: nonNegative('growth.cost.perMiBMs', cost['perMiBMs']) ?? 0,
    },
    shrinkAfterMs: nonNegative('growth.shrinkAfterMs', value['shrinkAfterMs']),
    allocate: allocate as GrowthConfig['allocate'],
  }
}

import { SEGMENT_SLOTS, SLOT_SIZE } from '../allocator/layout.js'
import type { Clock } from '../clock/clock.js'
import { ArgumentRangeError, ArgumentTypeError, isRecord, onlyKeys } from '../errors.js'
import { fraction, normalizeOptions } from '../swiotlb/options.js'
import type { PoolConfig } from './handle.js'
import { HIWATER_MODES, type HiwaterMode } from './layout.js'

export interface SharedHiwaterOptions {
  mode: HiwaterMode
  /** `batched`: the per-area delta that is flushed to the global count. Default 32 (percpu_counter_batch). */
  batch?: number
  /** `sampled`: ms between readings. Default 10. */
  intervalMs?: number
}

export interface SharedSwiotlbOptions {
  /** Bytes of the pool, or a string like '64M'; at most 1 GiB. Default 64 MiB. */
  size?: number | string
  /** Areas: a power of two, each at least one segment. Give one per thread. Default 1. */
  areas?: number
  /** Bounce bytes through shared memory (default), or keep accounting only. */
  backing?: boolean
  /** This thread's clock (timeouts, the sampler). Default: the real clock. */
  clock?: Clock
  /** `false`: blocking calls fail fast; an object: the budget mode's `high` (default 0.70). */
  throttle?: false | { high?: number }
  /** How `hiwater` is tracked. Default 'exact'. */
  hiwater?: HiwaterMode | SharedHiwaterOptions
  /** Blocking requests that may wait at once, all threads together. Default 4096. */
  maxWaiters?: number
  /** This thread's CPU: its maps start in area `cpu & (areas - 1)`. Default 0. */
  cpu?: number
}

export interface AttachOptions {
  clock?: Clock
  cpu?: number
}

/** The largest pool: addresses within it must stay int32 offsets. */
export const MAX_SHARED_BYTES = 2 ** 30

const KEYS = ['size', 'areas', 'backing', 'clock', 'throttle', 'hiwater', 'maxWaiters', 'cpu']

function wholeNumber(what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number')
    throw new ArgumentTypeError(what, `a whole number in [${min}, ${max}]`, value)
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new ArgumentRangeError(what, `a whole number in [${min}, ${max}]`, value)
  return value
}

export function normalizeCpu(value: unknown): number {
  return value === undefined ? 0 : wholeNumber('cpu', value, 0, 2 ** 31 - 1)
}

/** Validates every option at once; throws before anything is built. */
export function normalizeShared(options: unknown): { config: PoolConfig; clock: Clock; cpu: number } {
  if (options === undefined) options = {}
  if (!isRecord(options)) throw new ArgumentTypeError('options', 'an object', options)
  onlyKeys('options', options, KEYS)
  // size, areas, backing and clock follow the single-threaded Swiotlb's rules exactly.
  const { nslabs, nareas, backing, clock } = normalizeOptions({
    size: options['size'],
    areas: options['areas'],
    backing: options['backing'],
    clock: options['clock'],
  })
  if (nslabs * SLOT_SIZE > MAX_SHARED_BYTES)
    throw new ArgumentRangeError('size', `at most ${MAX_SHARED_BYTES} bytes (1 GiB)`, options['size'])
  const throttle = options['throttle'] ?? {}
  let budget = 0
  if (throttle !== false) {
    // As in Swiotlb: `true` is refused (it named no budget); leave the option out for the default.
    if (!isRecord(throttle)) throw new ArgumentTypeError('throttle', 'false or an object { high }', throttle)
    const t = throttle
    onlyKeys('throttle', t, ['high'])
    budget = Math.floor(fraction('throttle.high', t['high'], 0.7) * nslabs)
  }
  const hiwater = normalizeHiwater(options['hiwater'])
  const waiters =
    options['maxWaiters'] === undefined ? 4096 : wholeNumber('maxWaiters', options['maxWaiters'], 1, 2 ** 20)
  const config: PoolConfig = {
    nslabs,
    nareas,
    backing,
    budget: throttle === false ? -1 : budget,
    waiters,
    ...hiwater,
  }
  return { config, clock, cpu: normalizeCpu(options['cpu']) }
}

function normalizeHiwater(value: unknown): { hiwaterMode: number; batch: number; intervalMs: number } {
  if (value === undefined) value = { mode: 'exact' }
  if (typeof value === 'string') value = { mode: value }
  if (!isRecord(value))
    throw new ArgumentTypeError('hiwater', 'a mode name or { mode, batch, intervalMs }', value)
  onlyKeys('hiwater', value, ['mode', 'batch', 'intervalMs'])
  const mode = HIWATER_MODES.indexOf(value['mode'] as HiwaterMode)
  if (mode < 0)
    throw new ArgumentRangeError('hiwater.mode', `one of ${HIWATER_MODES.join(', ')}`, value['mode'])
  const batch =
    value['batch'] === undefined ? 32 : wholeNumber('hiwater.batch', value['batch'], 1, SEGMENT_SLOTS * 8)
  const intervalMs =
    value['intervalMs'] === undefined
      ? 10
      : wholeNumber('hiwater.intervalMs', value['intervalMs'], 1, 3_600_000)
  return { hiwaterMode: mode, batch, intervalMs }
}

export function normalizeAttach(options: unknown): { clock: Clock; cpu: number } {
  if (options === undefined) options = {}
  if (!isRecord(options)) throw new ArgumentTypeError('options', 'an object', options)
  onlyKeys('options', options, ['clock', 'cpu'])
  const { clock } = normalizeOptions({ size: SEGMENT_SLOTS * SLOT_SIZE, clock: options['clock'] })
  return { clock, cpu: normalizeCpu(options['cpu']) }
}

import { parseBytes } from '../allocator/size.js'
import { ArgumentRangeError, ArgumentTypeError, isRecord, onlyKeys } from '../errors.js'
import type { AtomicPoolConfig } from './atomic-pool.js'
import type { GrowthConfig } from './config.js'

/** `growth.background`: `{ atUsage?, onFailure? }`, at least one of them. */
export function normalizeBackground(value: unknown): Pick<GrowthConfig, 'atUsage' | 'onFailure'> {
  if (value === undefined) return { atUsage: undefined, onFailure: false }
  const expected = 'an object { atUsage?, onFailure? } with at least one of them'
  if (!isRecord(value)) throw new ArgumentTypeError('growth.background', expected, value)
  onlyKeys('growth.background', value, ['atUsage', 'onFailure'])
  const atUsage = value['atUsage']
  if (atUsage !== undefined) {
    if (typeof atUsage !== 'number')
      throw new ArgumentTypeError('growth.background.atUsage', 'a number in (0, 1]', atUsage)
    if (!(atUsage > 0 && atUsage <= 1))
      throw new ArgumentRangeError('growth.background.atUsage', 'a number in (0, 1]', atUsage)
  }
  const onFailure = value['onFailure'] ?? false
  if (typeof onFailure !== 'boolean')
    throw new ArgumentTypeError('growth.background.onFailure', 'a boolean', onFailure)
  if (atUsage === undefined && !onFailure) throw new ArgumentTypeError('growth.background', expected, value)
  return { atUsage, onFailure }
}

/** `growth.transient`: a boolean, or `{ atomicPoolBytes, atomicPools = 3, expand = true }`. */
export function normalizeTransient(value: unknown): Pick<GrowthConfig, 'transient' | 'atomic'> {
  if (value === undefined || value === false) return { transient: false, atomic: undefined }
  if (value === true) return { transient: true, atomic: undefined }
  const expected = 'a boolean or an object { atomicPoolBytes, atomicPools?, expand? }'
  if (!isRecord(value)) throw new ArgumentTypeError('growth.transient', expected, value)
  onlyKeys('growth.transient', value, ['atomicPoolBytes', 'atomicPools', 'expand'])
  const bytes = parseBytes('growth.transient.atomicPoolBytes', value['atomicPoolBytes'])
  if (bytes < 4096 || bytes % 4096 !== 0)
    throw new ArgumentRangeError('growth.transient.atomicPoolBytes', 'a positive multiple of 4096', bytes)
  const pools = value['atomicPools'] ?? 3
  if (typeof pools !== 'number' || !Number.isInteger(pools) || pools < 1 || pools > 3)
    throw new ArgumentRangeError('growth.transient.atomicPools', 'a whole number in [1, 3]', pools)
  const expand = value['expand'] ?? true
  if (typeof expand !== 'boolean') throw new ArgumentTypeError('growth.transient.expand', 'a boolean', expand)
  const atomic: AtomicPoolConfig = { bytes, pools, expand }
  return { transient: true, atomic }
}

/** `growth.searchOrder`: 'oldest-first' (default) or 'newest-first' (mainline). */
export function normalizeSearchOrder(value: unknown): GrowthConfig['searchOrder'] {
  if (value === undefined || value === 'oldest-first') return 'oldest-first'
  if (value === 'newest-first') return value
  throw new ArgumentRangeError('growth.searchOrder', "'oldest-first' or 'newest-first'", value)
}

import { SpecError } from './errors.js'
import type { SimSpec } from './spec.js'

/**
 * The simulator's public functions take a parsed SimSpec and run options from code, not from a file:
 * they check them the way the CLI checks a file (a SpecError naming the field), before running anything.
 * A raw scenario file (strings for sizes, no defaults) is refused here: parseSpec makes a SimSpec of it.
 */
export function checkSpec(spec: unknown, field = 'spec'): SimSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new SpecError(field, 'a SimSpec (parseSpec or resolveSpec makes one)', spec)
  const s = spec as Record<string, unknown>
  const count = (key: string, min: number) => {
    const v = s[key]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
      throw new SpecError(`${field}.${key}`, `a number >= ${min} (parseSpec makes a SimSpec)`, v)
  }
  if (typeof s['name'] !== 'string') throw new SpecError(`${field}.name`, 'a string', s['name'])
  count('cpus', 1)
  count('runtimeMs', 0)
  count('sampleMs', 0)
  const pool = s['pool'] as Record<string, unknown> | null | undefined
  if (typeof pool !== 'object' || pool === null)
    throw new SpecError(`${field}.pool`, 'an object { size, areas } in bytes', pool)
  if (typeof pool['size'] !== 'number' || !(pool['size'] > 0))
    throw new SpecError(`${field}.pool.size`, 'a number of bytes > 0', pool['size'])
  if (typeof pool['areas'] !== 'number' || !(pool['areas'] >= 1))
    throw new SpecError(`${field}.pool.areas`, 'a number >= 1', pool['areas'])
  for (const key of ['devices', 'jobs', 'hogs', 'policies'])
    if (!Array.isArray(s[key])) throw new SpecError(`${field}.${key}`, 'an array', s[key])
  if (typeof s['tuning'] !== 'object' || s['tuning'] === null)
    throw new SpecError(`${field}.tuning`, 'an object', s['tuning'])
  return spec as SimSpec
}

/** Run options: an object of known keys; `policies` an array; `onProgress` a function; `seed` a number. */
export function checkRunOptions<T extends object>(options: unknown, keys: readonly string[]): T {
  if (options === undefined) return {} as T
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new SpecError('options', 'an object', options)
  const o = options as Record<string, unknown>
  for (const key of Object.keys(o))
    if (!keys.includes(key)) throw new SpecError('options', `one of the keys ${keys.join(', ')}`, key)
  const { policies, onProgress, seed } = o
  if (policies !== undefined && !Array.isArray(policies))
    throw new SpecError('options.policies', 'an array of policy names', policies)
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new SpecError('options.onProgress', 'a function', onProgress)
  if (o['observe'] !== undefined && typeof o['observe'] !== 'function')
    throw new SpecError('options.observe', 'a function', o['observe'])
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed)))
    throw new SpecError('options.seed', 'a whole number', seed)
  return { ...o } as T
}

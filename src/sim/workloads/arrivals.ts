import { SpecError } from '../errors.js'
import type { Rng } from '../rng.js'
import { fioTime } from './values.js'

/**
 * Where a seed moves arrivals, as fio does: a `startdelay` range (each clone starts at a random point
 * of it) and `rate_process=poisson` (exponential gaps between rate-limited I/Os). Everything else fio
 * does on a fixed schedule stays fixed.
 */

/** fio's rate_process: 'linear' (even gaps, the default) or 'poisson' (exponential gaps, same mean). */
export type RateProcess = 'linear' | 'poisson'

/** fio's `startdelay`: a duration, or a range 'lo-hi' ('250ms-350ms'); ms. */
export function parseStartDelay(field: string, value: unknown): { startDelayMs: number; spreadMs: number } {
  if (value === undefined) return { startDelayMs: 0, spreadMs: 0 }
  const range = typeof value === 'string' ? /^([^-]+)-([^-]+)$/.exec(value) : null
  if (range !== null) {
    const time = (part: string) => {
      try {
        return fioTime(field, part)
      } catch {
        throw new SpecError(field, "a duration or a range like '250ms-350ms'", value)
      }
    }
    const lo = time(range[1]!)
    const hi = time(range[2]!)
    if (hi < lo) throw new SpecError(field, 'a range lo-hi with lo <= hi', value)
    return { startDelayMs: lo, spreadMs: hi - lo }
  }
  return { startDelayMs: fioTime(field, value), spreadMs: 0 }
}

export function parseRateProcess(field: string, value: unknown): RateProcess {
  if (value === undefined || value === 'linear') return 'linear'
  if (value === 'poisson') return 'poisson'
  throw new SpecError(field, "'linear' or 'poisson'", value)
}

/** An exponential draw of mean `mean` (a Poisson process's gap). */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng.next()) * mean
}

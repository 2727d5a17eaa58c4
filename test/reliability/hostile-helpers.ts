import fc from 'fast-check'
import { expect } from 'vitest'
import type { Swiotlb, VirtualClock } from '../../src/index.js'

/** Numbers that break careless checks: NaN, infinities, signed zero, fractions, limits of int32 and doubles. */
export const hostileNumber = fc.constantFrom(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -0,
  0,
  0.5,
  1.5,
  2047,
  3,
  2 ** 31,
  2 ** 52,
  2 ** 53,
  2 ** 60,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
)

/** Every `code` a dma-throttle error may carry. */
export const CODES = [
  'ERR_INVALID_ARG_TYPE',
  'ERR_OUT_OF_RANGE',
  'ERR_SWIOTLB_FULL',
  'ERR_MAPPING_TOO_LARGE',
  'ERR_INVALID_UNMAP',
  'ERR_THROTTLE_TIMEOUT',
  'ERR_NO_BACKING_MEMORY',
  'ERR_CLOCK_BUSY',
]

/** A dma-throttle error: an Error with one of our codes and a message. */
export function expectCoded(error: unknown, what: string): void {
  expect(error, `${what}: the error`).toBeInstanceOf(Error)
  const e = error as Error & { code?: unknown }
  expect(CODES, `${what}: code of "${e.message}"`).toContain(e.code)
  expect(e.message.length, `${what}: message`).toBeGreaterThan(10)
}

/** Calls `fn`; returns its value, or checks the error it throws is a coded one and returns it. */
export function callCoded<T>(fn: () => T, what: string): { value?: T; error?: unknown } {
  try {
    return { value: fn() }
  } catch (error) {
    expectCoded(error, what)
    return { error }
  }
}

/** Everything observable about a pool at rest: stats (less the clock time) and the timers it holds. */
export function snapshot(dma: Swiotlb, clock: VirtualClock): string {
  const { at: _at, ...stats } = dma.stats()
  return JSON.stringify({ stats, timers: clock.pendingTimers, now: clock.now() })
}

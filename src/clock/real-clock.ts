import type { Clock, TimerHandle } from './clock.js'

/** The wall clock: `performance.now()` and `setTimeout`. The only file that touches host timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer: (ms, fn) => setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimer: (timer) => clearTimeout(timer as unknown as ReturnType<typeof setTimeout>),
}

/**
 * Resolves after every pending promise callback has run (one macrotask turn).
 * VirtualClock uses it between timers so that await-based code behaves as on real time.
 */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Wall-clock milliseconds, for progress bars and benchmarks only: never for simulated time. */
export function wallNow(): number {
  return performance.now()
}

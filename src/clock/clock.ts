/** An opaque handle returned by `Clock.setTimer`. */
export type TimerHandle = { readonly __timer: unique symbol } | object

/**
 * Time is a parameter, never ambient: every wait in dma-throttle goes through a Clock.
 * `realClock` is the default; `VirtualClock` drives tests and simulations.
 */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number
  /** Calls `fn` once, `ms` milliseconds from now. */
  setTimer(ms: number, fn: () => void): TimerHandle
  /** Cancels a timer; a timer that already fired or was cleared is ignored. */
  clearTimer(timer: TimerHandle): void
}

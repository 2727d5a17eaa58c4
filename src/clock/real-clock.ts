import type { Clock, TimerHandle } from './clock.js'

/** setTimeout's longest delay: Node fires a longer one after 1 ms (TimeoutOverflowWarning). */
const MAX_DELAY_MS = 2 ** 31 - 1

/** A timer longer than setTimeout allows, re-armed in steps of MAX_DELAY_MS. */
class LongTimer {
  handle: ReturnType<typeof setTimeout> | undefined
  constructor(ms: number, fn: () => void) {
    const arm = (left: number): void => {
      this.handle =
        left > MAX_DELAY_MS ? setTimeout(() => arm(left - MAX_DELAY_MS), MAX_DELAY_MS) : setTimeout(fn, left)
    }
    arm(ms)
  }
}

/**
 * `globalThis.performance` is a lazy getter in Node: reading it costs more than a third of a
 * `performance.now()` call (~25 of ~65 ns), and a queued map reads the clock twice.
 */
const perf = performance

/** The wall clock: `performance.now()` and `setTimeout`. The only file that touches host timers. */
export const realClock: Clock = {
  now: () => perf.now(),
  setTimer: (ms, fn) =>
    ms > MAX_DELAY_MS ? new LongTimer(ms, fn) : (setTimeout(fn, ms) as unknown as TimerHandle),
  clearTimer: (timer) =>
    clearTimeout(
      timer instanceof LongTimer ? timer.handle : (timer as unknown as ReturnType<typeof setTimeout>),
    ),
}

function tick(resolve: () => void): void {
  process.nextTick(resolve)
}

/**
 * Resolves after every pending promise callback has run, and every callback those queue in turn.
 * VirtualClock uses it between timers so that await-based code behaves as on real time.
 *
 * Node runs the process.nextTick queue only once V8's microtask queue is empty; a tick queued from
 * inside a microtask (hence the first `await`) therefore fires after every promise callback pending
 * then and all those they queue. That is what a macrotask turn (setImmediate) gives too, without going
 * round the event loop: the simulator fires one timer per simulated microsecond, and the turn was
 * half its time.
 */
export async function drainMicrotasks(): Promise<void> {
  await null
  await new Promise<void>(tick)
}

/** Wall-clock milliseconds, for progress bars and benchmarks only: never for simulated time. */
export function wallNow(): number {
  return perf.now()
}

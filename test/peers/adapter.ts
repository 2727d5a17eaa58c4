/**
 * A thin adapter that dresses dma-throttle as its peers, so that their own tests can be ported: a
 * budget of N units (one unit = one 2048-byte slot, `throttle.budgetBytes`), on a VirtualClock, with
 * accounting only. Nothing here adds behaviour: every member is one call of the public API.
 *
 *   p-limit `limit(fn, ...args)`          withMapping(1 unit, mayBlock, () => fn(...args))
 *   `activeCount` / `pendingCount`        stats().throttle.blockingUsed / .waiting
 *   `concurrency = n`, `setValue(n)`      setThrottle({ budgetBytes: n units })
 *   `clearQueue()`, `cancel()`            cancelWaiting()
 *   async-mutex `acquire(w)` / release    map(w units, mayBlock) / unmap
 *   `runExclusive(fn, w)`                 withMapping(w units, mayBlock, fn)
 *   `waitForUnlock()`, p-queue `onIdle`   onIdle()
 *   p-queue `onEmpty`, `onSizeLessThan`   onQueueBelow(1), onQueueBelow(n)
 *   `withTimeout(…, ms)`, `tryAcquire`    MapOptions.timeoutMs: ms, timeoutMs: 0
 */
import { type MapOptions, type Mapping, SLOT_SIZE, type Swiotlb, type VirtualClock } from '../../src/index.js'
import { testPool } from '../helpers/pools.js'

export const UNIT = SLOT_SIZE
/** The smallest pool: one segment (128 slots). */
const MIN_POOL_UNITS = 128

export type WaitOptions = Omit<MapOptions, 'mayBlock'>

/** A pool whose blocking budget is `units` units. */
export function budgetPool(units: number): { clock: VirtualClock; dma: Swiotlb } {
  const size = Math.max(MIN_POOL_UNITS, Math.ceil(units / MIN_POOL_UNITS) * MIN_POOL_UNITS) * UNIT
  return testPool({ size, backing: false, throttle: { budgetBytes: units * UNIT } })
}

/** Resolves after `ms` of virtual time (the peers' `delay(ms)`). */
export function delay(clock: VirtualClock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve))
}

/** p-limit's `pLimit(concurrency)`, each task holding one unit of the budget while it runs. */
export function pLimit(concurrency: number) {
  const { clock, dma } = budgetPool(concurrency)
  const limit = <A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Promise<R> =>
    dma.withMapping(UNIT, { mayBlock: true }, () => fn(...args))
  // Accessors, not values: Object.assign would read each getter once.
  const members = {
    clock,
    dma,
    get activeCount(): number {
      return dma.stats().throttle.blockingUsed
    },
    get pendingCount(): number {
      return dma.stats().throttle.waiting
    },
    get concurrency(): number {
      return dma.stats().throttle.budget
    },
    set concurrency(n: number) {
      dma.setThrottle({ budgetBytes: n * UNIT })
    },
    clearQueue: (reason?: unknown) => dma.cancelWaiting(reason),
  }
  return Object.defineProperties(limit, Object.getOwnPropertyDescriptors(members)) as typeof limit &
    typeof members
}

/**
 * async-mutex's `Semaphore(value)` (and `Mutex` for 1): weights in units, FIFO, no priorities.
 * `defaults`: wait options every acquire takes (`{ timeoutMs }` is async-mutex's `withTimeout`).
 */
export function semaphore(value: number, defaults: WaitOptions = {}) {
  const { clock, dma } = budgetPool(value)
  const getValue = () => {
    const t = dma.stats().throttle
    return t.budget - t.blockingUsed
  }
  return {
    clock,
    dma,
    /** Resolves with the release function (async-mutex's `[value, release]`, without the value). */
    acquire: (weight = 1, options: WaitOptions = {}): Promise<() => void> =>
      dma
        .map(weight * UNIT, { ...defaults, ...options, mayBlock: true })
        .then((m: Mapping) => () => m.unmap()),
    runExclusive: <R>(fn: () => R | PromiseLike<R>, weight = 1, options: WaitOptions = {}): Promise<R> =>
      dma.withMapping(weight * UNIT, { ...defaults, ...options, mayBlock: true }, () => fn()),
    getValue,
    isLocked: () => getValue() <= 0,
    setValue: (n: number) => dma.setThrottle({ budgetBytes: n * UNIT }),
    cancel: (reason?: unknown) => dma.cancelWaiting(reason),
    waitForUnlock: (signal?: AbortSignal) => dma.onIdle(signal),
  }
}

/** p-queue's `new PQueue({ concurrency })`: `add(fn, options)`, `size`, `pending`, the drain promises. */
export function pQueue(concurrency: number) {
  const { clock, dma } = budgetPool(concurrency)
  return {
    clock,
    dma,
    add: <R>(fn: () => R | PromiseLike<R>, options: WaitOptions = {}): Promise<R> =>
      dma.withMapping(UNIT, { ...options, mayBlock: true }, () => fn()),
    get size(): number {
      return dma.stats().throttle.waiting
    },
    get pending(): number {
      return dma.stats().throttle.blockingUsed
    },
    set concurrency(n: number) {
      dma.setThrottle({ budgetBytes: n * UNIT })
    },
    clear: () => dma.cancelWaiting(),
    onIdle: (signal?: AbortSignal) => dma.onIdle(signal),
    onEmpty: (signal?: AbortSignal) => dma.onQueueBelow(1, signal),
    onSizeLessThan: (n: number, signal?: AbortSignal) => dma.onQueueBelow(n, signal),
  }
}

/** Settles `p` into a log line (`name ok [value]` or `name <error name> [code]`) when it settles. */
export function record(log: string[], name: string, p: Promise<unknown>): void {
  p.then(
    (v) => log.push(`${name} ok${v === undefined || typeof v === 'function' ? '' : ` ${String(v)}`}`),
    (e: unknown) => {
      const { name: n, code } = e as { name?: string; code?: string }
      log.push(`${name} ${n}${code === undefined ? '' : ` ${code}`}`)
    },
  )
}

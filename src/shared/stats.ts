import {
  A_HIWATER,
  A_USED,
  areaAt,
  BLOCKING_USED,
  C_BUDGET,
  C_WAITERS,
  HIWATER_MODES,
  type HiwaterMode,
  N_ABORTS,
  N_FAILURES,
  N_GRANTS,
  N_TIMEOUTS,
  N_WAITS,
  Q_WAITING,
  type SharedViews,
} from './layout.js'
import type { SharedPool } from './shared-pool.js'

/** A frozen snapshot of a shared pool, all threads together. Slots unless named otherwise. */
export interface SharedStats {
  readonly nslabs: number
  /** The areas' `used` added up: exact once no thread is inside a map or unmap. */
  readonly used: number
  /** The mark of `hiwaterMode`; undefined when it is 'off'. */
  readonly hiwater: number | undefined
  readonly hiwaterMode: HiwaterMode
  /** `batched`: the largest error of `hiwater` (areas × (batch − 1)); 0 for `exact`; else undefined. */
  readonly hiwaterBound: number | undefined
  /** Per area: slots in use, and its own mark (kept in 'per-area' mode only, else 0). */
  readonly areas: readonly { readonly used: number; readonly hiwater: number }[]
  /** Non-blocking requests that found no room. */
  readonly failures: number
  readonly throttle: {
    /** Slots the blocking budget allows (-1 when throttling is off). */
    readonly budget: number
    readonly blockingUsed: number
    readonly waiting: number
    /** Blocking requests that had to queue, were granted from the queue, timed out, were aborted. */
    readonly waits: number
    readonly grants: number
    readonly timeouts: number
    readonly aborts: number
    readonly maxWaiters: number
  }
}

export function statsOf(views: SharedViews, pool: SharedPool): SharedStats {
  const meta = views.meta
  const load = (at: number): number => Atomics.load(meta, at)
  const areas = []
  for (let a = 0; a < views.nareas; a++)
    areas.push(Object.freeze({ used: load(areaAt(a) + A_USED), hiwater: load(areaAt(a) + A_HIWATER) }))
  const mode = pool.hiwater.mode
  return Object.freeze({
    nslabs: views.nslabs,
    used: areas.reduce((sum, a) => sum + a.used, 0),
    hiwater: pool.hiwater.read(),
    hiwaterMode: HIWATER_MODES[mode]!,
    hiwaterBound: pool.hiwater.bound(),
    areas: Object.freeze(areas),
    failures: load(N_FAILURES),
    throttle: Object.freeze({
      budget: meta[C_BUDGET]!,
      blockingUsed: load(BLOCKING_USED),
      waiting: load(Q_WAITING),
      waits: load(N_WAITS),
      grants: load(N_GRANTS),
      timeouts: load(N_TIMEOUTS),
      aborts: load(N_ABORTS),
      maxWaiters: meta[C_WAITERS]!,
    }),
  })
}

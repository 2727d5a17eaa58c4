import type { SwiotlbAllocator } from '../allocator/swiotlb-allocator.js'
import type { Growth } from '../growth/growth.js'
import type { ThrottlePolicy } from '../throttle/policy.js'
import type { Histogram } from './histogram.js'
import type { AreaStats, PoolStats, SwiotlbStats } from './types.js'

/**
 * The counts that neither the allocator, the policy nor growth keeps: the facade's context holds them,
 * the map path and the wait path count.
 */
export interface Counters {
  live: number
  failures: number
  admitted: number
  timeouts: number
  aborts: number
}

/** Where a snapshot's numbers come from (the facade's context has all of these). */
export interface StatsSources {
  allocator: SwiotlbAllocator
  policy: ThrottlePolicy | undefined
  growth: Growth | undefined
  counters: Counters
  waits: Histogram
}

/** Builds a deep-frozen snapshot: later changes to the pool never show through it. */
export function buildStats(s: StatsSources, at: number): SwiotlbStats {
  const { allocator: a, policy: p, growth: g, counters: c, waits } = s
  const poolList: PoolStats[] = []
  const areas: AreaStats[] = []
  a.pools.forEach((pool, poolIndex) => {
    // allocator.pools holds default and dynamic pools only: transient pools are never searched.
    if (pool.kind === 'transient') throw new Error('a transient pool in the search order')
    poolList.push(
      Object.freeze({
        kind: pool.kind,
        addr: pool.start,
        nslabs: pool.nslabs,
        used: pool.used,
        areas: pool.nareas,
      }),
    )
    pool.areas.forEach((area, index) => {
      areas.push(
        Object.freeze({
          pool: poolIndex,
          index,
          nslabs: area.nslabs,
          used: area.used,
          hiwater: area.hiwater,
        }),
      )
    })
  })
  return Object.freeze({
    at,
    nslabs: a.nslabs,
    used: a.used,
    hiwater: a.hiwater,
    pools: a.pools.length,
    poolList: Object.freeze(poolList),
    transientNslabs: a.transientNslabs,
    liveMappings: c.live,
    failures: c.failures,
    throttle: Object.freeze({
      mode: p?.mode ?? 'off',
      waiting: p?.waiting ?? 0,
      bytesWaiting: p?.bytesWaiting ?? 0,
      budget: p?.budget() ?? 0,
      blockingUsed: p?.blockingUsed ?? 0,
      admitted: c.admitted,
      timeouts: c.timeouts,
      aborts: c.aborts,
      highCount: p?.highCount ?? 0,
      lowCount: p?.lowCount ?? 0,
      waitMs: Object.freeze({
        count: waits.count,
        p50: waits.percentile(50),
        p99: waits.percentile(99),
        max: waits.max,
      }),
    }),
    growth: Object.freeze({
      grows: g?.grows ?? 0,
      failures: g?.failures ?? 0,
      bytesGrown: g?.bytesGrown ?? 0,
      shrinks: g?.shrinks ?? 0,
      transients: g?.transients ?? 0,
    }),
    areas: Object.freeze(areas),
  })
}

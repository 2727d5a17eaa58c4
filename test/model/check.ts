import { expect } from 'vitest'
import type { Model } from './model.js'
import { FairShareModel } from './model-fair-share.js'
import { SerializeModel } from './model-policies.js'
import type { Real } from './real.js'

/** The stats the model predicts, in the shape of `stats()`. */
function predicted(model: Model) {
  const p = model.policy
  const g = model.growth
  const waiters = p?.waiters() ?? []
  return {
    nslabs: model.pools.nslabs,
    used: model.pools.used,
    hiwater: model.pools.hiwater,
    pools: model.pools.pools.length,
    transientNslabs: model.pools.transientNslabs,
    liveMappings: model.live.size,
    failures: model.failures,
    throttle: {
      waiting: waiters.length,
      bytesWaiting: waiters.reduce((sum, w) => sum + w.size, 0),
      budget: p?.budget ?? 0,
      blockingUsed: p?.blockingUsed ?? 0,
      admitted: model.admitted,
      timeouts: model.timeouts,
      aborts: model.aborts,
      highCount: p?.highCount ?? 0,
      lowCount: p?.lowCount ?? 0,
      waitMs: { count: model.admitted, max: model.maxWaitMs },
    },
    growth: {
      grows: g?.grows ?? 0,
      failures: g?.failures ?? 0,
      bytesGrown: g?.bytesGrown ?? 0,
      shrinks: g?.shrinks ?? 0,
      transients: g?.transients ?? 0,
    },
    poolList: model.pools.pools.map((pool) => ({
      kind: pool.kind,
      addr: pool.addr,
      nslabs: pool.nslabs,
      used: pool.used,
    })),
    areas: model.pools.pools.flatMap((pool) => pool.areaUsed()),
  }
}

/** Everything the real pool shows, next to what the model predicts, after one command. */
export function check(model: Model, real: Real, after: string): void {
  const at = `after ${after} (t=${model.now})`
  expect(real.log, `${at}: settlements`).toEqual(model.log)
  expect(real.growLog, `${at}: growth events`).toEqual(model.growLog)
  expect(real.clock.now(), `${at}: clock`).toBe(model.now)
  const s = real.dma.stats()
  const got = {
    ...s,
    throttle: { ...s.throttle, waitMs: { count: s.throttle.waitMs.count, max: s.throttle.waitMs.max } },
    growth: { ...s.growth },
    poolList: s.poolList.map(({ kind, addr, nslabs, used }) => ({ kind, addr, nslabs, used })),
    areas: s.areas.map((a) => a.used),
  }
  const { at: _at, throttle, ...rest } = got
  const { mode: _mode, ...throttleRest } = throttle
  expect({ ...rest, throttle: throttleRest }, `${at}: stats`).toEqual(predicted(model))
  expect(real.clock.pendingTimers, `${at}: pending timers`).toBe(model.timers.count)

  // Invariants read from the real pool alone.
  const liveIds = real.liveIds()
  expect(liveIds, `${at}: live mappings`).toEqual([...model.live.keys()].sort((a, b) => a - b))
  let slots = 0
  let transientSlots = 0
  for (const id of liveIds) {
    const m = real.records.get(id)!.mapping!
    if (m.pool.kind === 'transient') transientSlots += m.slots
    else slots += m.slots
  }
  expect(slots, `${at}: used = Σ live slots`).toBe(s.used)
  expect(transientSlots, `${at}: transient slots`).toBe(s.transientNslabs)
  if (model.config.mode === 'budget' || model.config.mode === 'fair-share') {
    // Admissions stay within the budget (the model checks each one), and the shrinker keeps every pool
    // that blocking mappings count on: blocking usage never exceeds the budget, at any step.
    expect(s.throttle.blockingUsed, `${at}: blocking usage above the budget`).toBeLessThanOrEqual(
      s.throttle.budget,
    )
  }
  let pending = 0
  for (const r of real.records.values()) if (!r.settled) pending++
  expect(pending, `${at}: unsettled requests = waiting`).toBe(s.throttle.waiting)
  const g = model.growth
  if (model.live.size === 0 && !g?.growing && g?.waitTimer === undefined) checkStuckHeads(model, at)
}

/**
 * No lost waiter: with nothing mapped and no grow coming, no release or growth can ever admit anyone
 * again, so every waiter must be behind a head that needs more than the whole budget (serialize: no
 * waiter at all, since an empty pool is below both marks).
 */
export function checkStuckHeads(model: Model, at = 'teardown'): void {
  const policy = model.policy
  if (policy === undefined || policy.waiters().length === 0) return
  if (policy instanceof SerializeModel) {
    expect(
      policy.waiters().map((w) => w.id),
      `${at}: waiters on an empty pool`,
    ).toEqual([])
    return
  }
  const heads =
    policy instanceof FairShareModel
      ? policy.ring.map((d) => policy.devices.get(d)!.queue[0]!)
      : [policy.oldest()!]
  for (const h of heads)
    expect(h.nslots, `${at}: head #${h.id} waits on an empty pool`).toBeGreaterThan(policy.budget)
}

import { getEventListeners } from 'node:events'
import { expect } from 'vitest'
import type { Model } from './model.js'
import { FairShareModel } from './model-fair-share.js'
import { SerializeModel } from './model-policies.js'
import { SLOT } from './model-pools.js'
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
  expect(real.queueLog, `${at}: waitQueue$ states`).toEqual(model.queueLog)
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
    // that blocking mappings count on: blocking usage never exceeds the budget, at any step, except
    // what a smaller budget left above it (setThrottle revokes nothing), which may only fall.
    const { blockingUsed, budget } = s.throttle
    expect(blockingUsed, `${at}: blocking usage above the budget`).toBeLessThanOrEqual(
      Math.max(budget, model.overBudget),
    )
    model.overBudget = blockingUsed > budget ? blockingUsed : 0
  }
  if (model.config.mode !== 'off') {
    const { high, low, budgetSlots } = real.dma.options.throttle as {
      high: number
      low: number
      budgetSlots?: number
    }
    const t = model.thresholds
    if (high !== t.high || low !== t.low || budgetSlots !== t.budgetSlots)
      expect({ high, low, budgetSlots }, `${at}: thresholds`).toEqual(t)
  }
  checkNoTrace(model, real, at)
  let pending = 0
  for (const r of real.records.values()) if (!r.settled) pending++
  expect(pending, `${at}: unsettled requests = waiting`).toBe(s.throttle.waiting)
  const g = model.growth
  if (model.live.size === 0 && !g?.growing && g?.waitTimer === undefined) checkStuckHeads(model, at)
  checkGrowWanted(model, at)
}

/**
 * Every promise still pending holds exactly one abort listener on its signal, every settled one none
 * (cancelWaiting and a watcher's abort leave no listener); the pending onIdle / onQueueBelow calls
 * are the model's.
 */
function checkNoTrace(model: Model, real: Real, at: string): void {
  const listeners = (c: AbortController) => getEventListeners(c.signal, 'abort').length
  // Plain comparisons (this runs after every command); a settled promise whose signal was seen clean
  // stays clean, as nothing adds a listener later.
  const expectListeners = (c: AbortController, settled: boolean, what: string) => {
    const n = listeners(c)
    if (n !== (settled ? 0 : 1)) expect(n, `${at}: abort listeners of ${what}`).toBe(settled ? 0 : 1)
  }
  for (const r of real.records.values()) {
    if (r.controller === undefined || real.clean.has(r)) continue
    expectListeners(r.controller, r.settled, `#${r.id}`)
    if (r.settled) real.clean.add(r)
  }
  const pending: number[] = []
  for (const w of real.watches.values()) {
    if (real.clean.has(w)) continue
    if (!w.settled) pending.push(w.id)
    if (w.controller !== undefined) expectListeners(w.controller, w.settled, `w${w.id}`)
    if (w.settled) real.clean.add(w)
  }
  const expected = model.watchers.pending.map((w) => w.id).sort((a, b) => a - b)
  if (pending.join() !== expected.join())
    expect(pending, `${at}: pending onIdle/onQueueBelow`).toEqual(expected)
}

/**
 * No parked grow: a head that has waited `waitMs`, with room under maxBytes for a chunk and no grow
 * under way, must be getting one (issue 15 point 2: a grow refused for lack of room was never retried).
 */
function checkGrowWanted(model: Model, at: string): void {
  const g = model.growth
  const waitMs = g?.config.waitMs
  const head = model.policy?.oldest()
  if (g === undefined || waitMs === undefined || head === undefined || g.growing || g.closed) return
  if (model.now - head.enqueuedAt < waitMs || g.waitTimer !== undefined) return
  // api.md: a grow the allocate hook refused is not retried for the same head.
  if (g.refusedFor === head) return
  const room = g.totalBytes() + g.config.chunkSlots * SLOT <= g.config.maxBytes
  expect(room, `${at}: head #${head.id} waited ${waitMs} ms with room for a grow, none coming`).toBe(false)
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

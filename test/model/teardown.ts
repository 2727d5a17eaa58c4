import { expect } from 'vitest'
import { check, checkStuckHeads } from './check.js'
import type { Model } from './model.js'
import type { Real } from './real.js'

/**
 * Lets virtual time run until no timer is left (runAll, but bounded: every timer the pool sets has a
 * cause that ends within 200 ms, so timers still firing after a second are a storm that never ends).
 */
async function settleTimers(model: Model, real: Real): Promise<void> {
  for (let i = 0; i < 10 && real.clock.pendingTimers + model.timers.count > 0; i++) {
    await real.clock.advanceBy(100)
    model.advance(100)
    check(model, real, 'teardown: advance(100)')
  }
  if (real.clock.pendingTimers > 0)
    throw new Error(
      `timers still firing after 1 s of virtual time; last events: ${real.log.slice(-6).join(' ')}`,
    )
}

/**
 * Drains the pool to nothing: unmap every live mapping, let every timer run, and repeat. Waiters may
 * stay only behind a head larger than the whole blocking budget (they need growth that will not
 * come); they are aborted one by one. Then close() and runAll() must leave no timer, slot or waiter.
 */
export async function teardown(model: Model, real: Real): Promise<void> {
  real.refuse = model.refuse = false
  for (let round = 0; round < 100_000; round++) {
    const id = model.live.keys().next().value
    if (id !== undefined) {
      const rec = real.records.get(id)!
      rec.mapping!.unmap()
      rec.unmapped = true
      await real.clock.advanceBy(0)
      model.unmap(id)
      model.advance(0)
      check(model, real, `teardown: unmap #${id}`)
      continue
    }
    await settleTimers(model, real)
    if (model.live.size > 0) continue
    const head = model.policy?.oldest()
    if (head === undefined) break
    checkStuckHeads(model)
    real.records.get(head.id)!.controller!.abort()
    await real.clock.advanceBy(0)
    model.abort(head.id)
    model.advance(0)
    check(model, real, `teardown: abort #${head.id}, which only growth could admit`)
  }
  real.dma.close()
  model.close()
  await settleTimers(model, real)
  await real.clock.runAll()
  check(model, real, 'teardown: close, runAll')
  const s = real.dma.stats()
  expect([s.liveMappings, s.used, s.transientNslabs, s.throttle.waiting, s.throttle.blockingUsed]).toEqual([
    0, 0, 0, 0, 0,
  ])
  expect(real.clock.pendingTimers, 'timers left after close and runAll').toBe(0)
  // Idle at last: every onIdle and onQueueBelow has settled.
  expect(model.watchers.pending, 'watchers left pending').toEqual([])
  expect([...real.watches.values()].filter((w) => !w.settled).map((w) => w.id)).toEqual([])
}

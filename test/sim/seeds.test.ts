import { afterEach, describe, expect, it, vi } from 'vitest'
import { Swiotlb } from '../../src/index.js'
import { type PolicyInput, parseSpec, runPolicy, SCENARIOS } from '../../src/sim/index.js'

/** When each map and tryMap call of a run came, ms: the arrivals the pool sees. */
async function arrivals(name: string, seed: number): Promise<number[]> {
  const scenario = SCENARIOS.find((s) => s.name === name)!
  // The first 400 ms hold every scenario's starts, bursts and first imports.
  const parsed = parseSpec(scenario.spec)
  const spec = { ...parsed, runtimeMs: Math.min(parsed.runtimeMs, 400) }
  const times: number[] = []
  const record = function (this: Swiotlb) {
    if (times.length < 5000) times.push(this.clock.now())
  }
  const map = Swiotlb.prototype.map
  const tryMap = Swiotlb.prototype.tryMap
  vi.spyOn(Swiotlb.prototype, 'map').mockImplementation(function (this: Swiotlb, ...args) {
    record.call(this)
    return map.apply(this, args)
  })
  vi.spyOn(Swiotlb.prototype, 'tryMap').mockImplementation(function (this: Swiotlb, ...args) {
    record.call(this)
    return tryMap.apply(this, args)
  })
  await runPolicy(spec, spec.policies[0] as PolicyInput, seed)
  vi.restoreAllMocks()
  return times
}

describe('seeds perturb arrivals, not only sizes', () => {
  afterEach(() => vi.restoreAllMocks())

  for (const s of SCENARIOS) {
    it(`${s.name}: two seeds give different arrival times`, async () => {
      const one = await arrivals(s.name, 1)
      const two = await arrivals(s.name, 2)
      expect(one.length).toBeGreaterThan(10)
      expect(two).not.toEqual(one)
      // Not only a shifted copy: the gaps between arrivals differ too (past the rings and buffers that
      // every seed fills at 0).
      const gaps = (all: number[]) => {
        const t = all.filter((v) => v > 0)
        return t.slice(1, 200).map((v, i) => Math.round((v - t[i]!) * 1000))
      }
      expect(gaps(two)).not.toEqual(gaps(one))
    })
  }
})

import { describe, expect, it } from 'vitest'
import { findScenario, type PolicyResult, runScenario, SCENARIOS } from '../../src/sim/index.js'
import { CLAIMS } from './claims.js'

// Each scenario's claim (see its `claim` and docs/simulation.md), asserted on its own result, seed 1.
// The soak suite checks the same claims on 20 seeds (test/soak/scenario-seeds-a.test.ts and -b).
async function run(name: string): Promise<Record<string, PolicyResult>> {
  return (await runScenario(name)).policies as Record<string, PolicyResult>
}

describe('scenario catalogue', () => {
  it('has the seven scenarios of DESIGN §8, each with a claim, a source and a check', () => {
    expect(SCENARIOS.map((s) => s.name)).toEqual([
      'coco-fio',
      'hiwater-accuracy',
      'dmabuf-hog',
      'nvme-polling',
      'snail-cheetah',
      'rpi4-display',
      'dynamic-pools',
    ])
    for (const s of SCENARIOS) {
      expect(s.claim.length).toBeGreaterThan(40)
      expect(s.source.length).toBeGreaterThan(10)
    }
    expect(Object.keys(CLAIMS)).toEqual(SCENARIOS.map((s) => s.name))
    expect(findScenario('dynamic-pools').spec['pool']).toEqual({ size: '16M', areas: 32 })
  })
})

for (const s of SCENARIOS) {
  const claim = CLAIMS[s.name]!
  describe(`${s.name}: ${claim.title}`, () => {
    it('holds on seed 1', async () => claim.check(await run(s.name)))
  })
}

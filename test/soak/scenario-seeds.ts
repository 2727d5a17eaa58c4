import { describe, expect, it } from 'vitest'
import { type PolicyResult, runScenario, SCENARIOS } from '../../src/sim/index.js'
import { CLAIMS } from '../sim/claims.js'

/** Seeds each claim must hold on (issue 17: at least 20). SEEDS=n runs more. */
const SEEDS = Number(process.env['SEEDS'] ?? 20)

/**
 * The scenarios of the first of the two soak files, about half the seed runs' time (coco-fio alone is
 * ~40 % of it): two files let the soak's two workers share the work. Every other scenario runs in the
 * second file, so a new scenario is always checked.
 */
export const FIRST_HALF: ReadonlySet<string> = new Set(['coco-fio', 'rpi4-display'])

// Every scenario's claim on seeds 1..SEEDS: a seed moves burst starts, Poisson arrivals, sizes,
// service jitter and the sampler's offset. A claim that holds on seed 1 only is no claim.
export function claimsHoldOnEverySeed(first: boolean): void {
  describe('each scenario claim holds on every seed', () => {
    for (const s of SCENARIOS) {
      if (FIRST_HALF.has(s.name) !== first) continue
      it(`${s.name}: ${CLAIMS[s.name]!.title}`, { timeout: 3_600_000 }, async () => {
        const failures: string[] = []
        for (let seed = 1; seed <= SEEDS; seed++) {
          const p = (await runScenario(s.name, { seed })).policies as Record<string, PolicyResult>
          try {
            CLAIMS[s.name]!.check(p)
          } catch (error) {
            failures.push(`seed ${seed}: ${(error as Error).message.split('\n')[0]}`)
          }
        }
        expect(failures).toEqual([])
      })
    }
  })
}

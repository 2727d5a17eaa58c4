import { describe, expect, it } from 'vitest'
import { stress } from '../shared/stress.js'

// The long version of test/shared/stress.test.ts: more threads, more time, every hiwater mode's map
// path; `npm run test:soak`. STRESS_SEED picks the workers' random streams.
describe('soak: SharedSwiotlb under real threads', () => {
  const seed = Number(process.env['STRESS_SEED'] ?? 7)
  for (const [threads, hiwater] of [
    [4, 'exact'],
    [3, 'batched'],
    [2, 'per-area'],
  ] as const) {
    it(`${threads} threads, ${hiwater} hiwater, 20 s with a check every 250 ms`, async () => {
      const r = await stress({ threads, durationMs: 20_000, barrierEveryMs: 250, seed, hiwater })
      console.log(`shared soak: ${JSON.stringify(r)}`)
      expect(r.barrierChecks).toBeGreaterThanOrEqual(40)
      expect(r.totals.settled).toBe(r.totals.issued)
    })
  }
})

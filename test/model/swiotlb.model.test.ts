import { afterAll, describe, expect, it } from 'vitest'
import type { GrowthKind } from './arbitraries.js'
import type { Mode } from './model.js'
import { type RunCounts, runModel } from './run.js'

// Model-based tests of the whole Swiotlb (issue 7): long random sequences of maps, unmaps, timeouts,
// aborts, clock advances, grows, refused grows and shrinks, compared with a reference model after every
// command. A failure prints fast-check's seed and path; FC_SEED=… FC_PATH=… replays it.
const totals: Record<string, RunCounts> = {}

afterAll(() => {
  console.info('model runs / commands executed:', JSON.stringify(totals))
})

const CASES: Array<[Mode, GrowthKind]> = [
  ['budget', 'never'],
  ['budget', 'always'],
  // Issue 15 point 2: transient pools fill maxBytes, a head waits for a grow, the transients go.
  ['budget', 'transient-fill'],
  ['fair-share', 'transient-fill'],
  ['serialize', 'sometimes'],
  ['fair-share', 'sometimes'],
  ['off', 'sometimes'],
]

describe('Swiotlb against its reference model', () => {
  for (const [mode, growth] of CASES) {
    it(`${mode}, growth ${growth}`, async () => {
      const counts = await runModel(
        mode,
        growth,
        Number(process.env['MODEL_RUNS'] ?? 50),
        Number(process.env['MODEL_CMDS'] ?? 150),
      )
      totals[`${mode}/${growth}`] = counts
      expect(counts.commands).toBeGreaterThan(0)
    })
  }
})

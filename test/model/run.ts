import fc from 'fast-check'
import { params } from '../helpers/fc-params.js'
import { commandsArb, configArb, type GrowthKind } from './arbitraries.js'
import { type Mode, Model } from './model.js'
import { Real } from './real.js'
import { teardown } from './teardown.js'

export interface RunCounts {
  runs: number
  commands: number
}

/**
 * Runs random command sequences against a fresh model and real pool of `mode`, then drains both.
 * Returns how many sequences and commands ran (the last, shrunk, runs included).
 */
export async function runModel(
  mode: Mode,
  growth: GrowthKind,
  numRuns: number,
  maxCommands: number,
): Promise<RunCounts> {
  const counts: RunCounts = { runs: 0, commands: 0 }
  await fc.assert(
    fc.asyncProperty(configArb(mode, growth), commandsArb(maxCommands), async (config, cmds) => {
      const real = new Real(config)
      const model = new Model(config, real, real.dma.stats().poolList[0]!.addr)
      counts.runs++
      await fc.asyncModelRun(() => ({ model, real }), cmds)
      counts.commands += [...cmds].length
      await teardown(model, real)
    }),
    params(numRuns) as fc.Parameters<[unknown, unknown]>,
  )
  return counts
}

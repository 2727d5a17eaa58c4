import { type BenchCase, type CaseResult, result } from '../case.js'
import { median } from '../harness.js'
import { simUrl } from '../lib.js'

const TITLE = "simulated I/Os per wall second, default scenario ('coco-fio')"
const TARGET = { kind: 'min', value: 200_000 } as const

/** Whatever the simulator's barrel exports to run a scenario and count its I/Os. */
type RunDefault = () => Promise<number>

async function loadSimulator(): Promise<RunDefault | string> {
  let sim: Record<string, unknown>
  try {
    sim = (await import(simUrl)) as Record<string, unknown>
  } catch (error) {
    return `simulator not available (src/sim/index.ts: ${(error as Error).message.split('\n')[0]})`
  }
  return `simulator not available (src/sim/index.ts exports ${Object.keys(sim).join(', ') || 'nothing'}; no runner for 'coco-fio' found)`
}

/** Runs the default scenario several times and divides the simulated I/Os by the wall time. */
export const simulator: BenchCase = {
  id: 'sim',
  async run(options): Promise<CaseResult> {
    const run = await loadSimulator()
    if (typeof run === 'string') {
      return {
        id: this.id,
        title: TITLE,
        metric: 'simulated I/Os ÷ wall seconds',
        unit: 'I/O/s',
        target: TARGET,
        value: undefined,
        pass: undefined,
        raw: [],
        notes: [],
        skipped: run,
      }
    }
    const rates: number[] = []
    let ios = 0
    for (let round = 0; round < options.rounds; round++) {
      const t0 = performance.now()
      ios = await run()
      rates.push(ios / ((performance.now() - t0) / 1000))
    }
    const rate = median(rates)
    return result({
      id: this.id,
      title: TITLE,
      metric: 'simulated I/Os ÷ wall seconds',
      unit: 'I/O/s',
      target: TARGET,
      value: rate,
      raw: [{ label: 'simulated I/Os per wall second', value: rate, unit: 'I/O/s' }],
      notes: [`${ios} simulated I/Os per run, ${options.rounds} runs`],
    })
  },
}

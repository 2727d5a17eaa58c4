import { type BenchCase, type CaseResult, result } from '../case.js'
import { cpuNow, median } from '../harness.js'
import { simUrl } from '../lib.js'

const TITLE = "simulated I/Os per second, default scenario ('coco-fio')"
const TARGET = { kind: 'min', value: 200_000 } as const

/** What the bench needs from `dma-throttle/sim`, typed here so that the bench builds without it. */
interface SimulatorBarrel {
  runScenario?: (scenario?: string) => Promise<unknown>
  simulatedIos?: (result: never) => number
}

/** Runs 'coco-fio' once and returns the simulated I/Os it counted. */
type RunDefault = () => Promise<number>

async function loadSimulator(): Promise<RunDefault | string> {
  let sim: SimulatorBarrel
  try {
    sim = (await import(simUrl)) as SimulatorBarrel
  } catch (error) {
    return `simulator not available (src/sim/index.ts: ${(error as Error).message.split('\n')[0]})`
  }
  const { runScenario, simulatedIos } = sim
  if (typeof runScenario !== 'function' || typeof simulatedIos !== 'function') {
    return 'simulator not available (src/sim/index.ts exports no runScenario and simulatedIos)'
  }
  return async () => simulatedIos((await runScenario('coco-fio')) as never)
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
        metric: 'simulated I/Os ÷ seconds',
        unit: 'I/O/s',
        target: TARGET,
        value: undefined,
        pass: undefined,
        raw: [],
        notes: [],
        skipped: run,
      }
    }
    const cpuRates: number[] = []
    const wallRates: number[] = []
    let ios = 0
    const runs = Math.min(options.rounds, 5)
    for (let round = 0; round < runs; round++) {
      const wall = performance.now()
      const cpu = cpuNow()
      ios = await run()
      cpuRates.push(ios / ((cpuNow() - cpu) / 1000))
      wallRates.push(ios / ((performance.now() - wall) / 1000))
    }
    const rate = median(options.clock === 'cpu' ? cpuRates : wallRates)
    return result({
      id: this.id,
      title: TITLE,
      metric: `simulated I/Os ÷ ${options.clock === 'cpu' ? 'CPU' : 'wall'} seconds (both in the raw column)`,
      unit: 'I/O/s',
      target: TARGET,
      value: rate,
      raw: [
        { label: 'simulated I/Os per CPU second', value: median(cpuRates), unit: 'I/O/s' },
        { label: 'simulated I/Os per wall second', value: median(wallRates), unit: 'I/O/s' },
      ],
      notes: [
        `runScenario('coco-fio') from dma-throttle/sim, every policy of the scenario, seed 1; simulatedIos(result) = ${ios.toLocaleString('en-US')} I/Os per run (completed, failed and requeued), median of ${runs} runs`,
      ],
    })
  },
}

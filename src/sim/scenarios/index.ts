import { UnknownScenarioError } from '../errors.js'
import { cocoFio } from './coco-fio.js'
import { dmabufHog } from './dmabuf-hog.js'
import { dynamicPools } from './dynamic-pools.js'
import { hiwaterAccuracy } from './hiwater-accuracy.js'
import { nvmePolling } from './nvme-polling.js'
import { rpi4Display } from './rpi4-display.js'
import type { Scenario } from './scenario.js'
import { snailCheetah } from './snail-cheetah.js'

/** Every scenario, the default first. */
export const SCENARIOS: readonly Scenario[] = [
  cocoFio,
  hiwaterAccuracy,
  dmabufHog,
  nvmePolling,
  snailCheetah,
  rpi4Display,
  dynamicPools,
]

export const DEFAULT_SCENARIO = 'coco-fio'

export function findScenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name)
  if (found === undefined)
    throw new UnknownScenarioError(
      name,
      SCENARIOS.map((s) => s.name),
    )
  return found
}

export type { Scenario }

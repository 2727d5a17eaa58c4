import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { runScenario, toJson } from '../../src/sim/index.js'
import { memoryIo } from './cli-io.js'

describe('a seed decides everything', () => {
  it('gives byte-identical JSON for the same seed, and different JSON for another', async () => {
    const a = toJson(await runScenario('snail-cheetah', { seed: 11 }))
    const b = toJson(await runScenario('snail-cheetah', { seed: 11 }))
    const c = toJson(await runScenario('snail-cheetah', { seed: 12 }))
    expect(b).toBe(a)
    expect(c).not.toBe(a)
    expect(JSON.parse(a).seed).toBe(11)
  })

  it('gives byte-identical `simulate --json` output', async () => {
    const outputs: string[] = []
    for (let i = 0; i < 2; i++) {
      const { io, out } = memoryIo()
      expect(await main(['simulate', 'nvme-polling', '--json', '--seed', '5'], io)).toBe(0)
      expect(out.stderr).toBe('')
      outputs.push(out.stdout)
    }
    expect(outputs[1]).toBe(outputs[0])
  })
})

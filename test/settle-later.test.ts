import { describe, expect, it } from 'vitest'
import { SettleLater } from '../src/swiotlb/settle-later.js'

/** Runs `n` microtask hops, recording `label` after each. */
async function ticks(log: string[], n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await null
    log.push(`tick ${i}`)
  }
}

describe('SettleLater', () => {
  it('settles its batch `hops` microtasks later, in the order added', async () => {
    for (const hops of [1, 2, 3]) {
      const log: string[] = []
      const late = new SettleLater()
      late.hops = hops
      const done = ticks(log, 4)
      late.add((v) => log.push(`a ${v}`), 1)
      late.add((v) => log.push(`b ${v}`), 2)
      await done
      const at = log.indexOf('a 1')
      expect(log[at + 1]).toBe('b 2')
      // The ticks were queued first: the batch settles right after the `hops`-th of them.
      expect(log.slice(0, at)).toEqual(Array.from({ length: hops }, (_, i) => `tick ${i + 1}`))
    }
  })

  it('a later add that asks for more hops makes the whole batch wait for it', async () => {
    const log: string[] = []
    const late = new SettleLater()
    late.hops = 1
    const done = ticks(log, 4)
    late.add(() => log.push('first'), undefined)
    late.hops = 2
    late.add(() => log.push('second'), undefined)
    await done
    expect(log.slice(0, 4)).toEqual(['tick 1', 'tick 2', 'first', 'second'])
  })
})

import { describe, expect, it } from 'vitest'
import { SharedSwiotlb } from '../../src/index.js'
import { stress } from './stress.js'
import { tsWorker } from './ts-worker.js'

// Real worker threads on one shared pool. Bounded in wall time (threads run in real time); seeded
// (STRESS_SEED), though thread interleavings make each run differ. The soak runs a long version.
describe('SharedSwiotlb under real threads', () => {
  it('2 threads of random maps, unmaps, timeouts and aborts: every barrier check passes, all drains', async () => {
    const seed = Number(process.env['STRESS_SEED'] ?? 1)
    const r = await stress({ threads: 2, durationMs: 1500, barrierEveryMs: 100, seed, hiwater: 'exact' })
    console.log(`shared stress (seed ${seed}): ${JSON.stringify(r)}`)
    const t = r.totals
    // Every path was taken, so that the checks above covered it.
    expect(r.barrierChecks).toBeGreaterThanOrEqual(5)
    for (const n of [t.tryMaps, t.tryMapFull, t.admitted, t.timeouts, t.aborts, t.handoffs, t.crossUnmaps])
      expect(n).toBeGreaterThan(0)
    expect(r.hiwater).toBeGreaterThanOrEqual(r.peakAtBarrier)
  })

  it('a worker whose only work is a blocking wait stays alive until it is granted', async () => {
    const pool = new SharedSwiotlb({ size: '256K', backing: false, throttle: { high: 1 } })
    const all = pool.tryMap(256 * 1024)!
    const w = tsWorker(new URL('./keepalive-worker.ts', import.meta.url), { workerData: pool.handle })
    const messages: unknown[] = []
    const exited = new Promise<number>((resolve, reject) => {
      w.on('message', (m: { waiting?: number }) => {
        messages.push(m)
        // Real time on purpose: the worker must sit parked with nothing else to do (its event loop
        // idle but for the wait) before it is granted; a VirtualClock cannot stand in for another thread.
        if (m.waiting !== undefined) setTimeout(() => all.unmap(), 50)
      })
      w.on('error', reject)
      w.on('exit', resolve)
    })
    expect(await exited).toBe(0)
    expect(messages).toEqual([{ waiting: 1 }, { granted: 2 ** 32 }])
    expect(pool.stats().used).toBe(0)
  })
})

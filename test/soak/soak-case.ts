import { expect, it } from 'vitest'
import type { SwiotlbOptions } from '../../src/index.js'
import { Workload } from './workload.js'

// Soak (issue 7, item 4): millions of operations through pools with growth and shrink on, checking
// after every phase that the pool drains to nothing and that the heap stays flat. Not in `npm test`:
// run with `npm run test:soak` (vitest.soak.config.ts passes --expose-gc to the worker).
const SEED = Number(process.env['SOAK_SEED'] ?? 20261122)
const PHASES = 6
const OPS_PER_PHASE = Number(process.env['SOAK_OPS'] ?? 150_000)
/** A leak of one small object per operation would add megabytes per phase; noise stays far below. */
const TOLERANCE_BYTES = 2 * 1024 * 1024

export const growth = {
  chunkBytes: '256K',
  maxBytes: '4M',
  waitMs: 2,
  transient: true,
  cost: { fixedMs: 1 },
  shrinkAfterMs: 20,
} as const

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('the soak needs --expose-gc: run it with npm run test:soak')
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** One soak case: PHASES × OPS_PER_PHASE operations, drained and measured after each phase. */
export function soak(
  name: string,
  options: Omit<SwiotlbOptions, 'clock'>,
  opsPerPhase = OPS_PER_PHASE,
): void {
  it(`${name}: ${PHASES} × ${opsPerPhase} operations, drained after each, heap flat`, async () => {
    const w = new Workload(SEED, options)
    const sub = w.dma.events$.subscribe(() => {})
    const usage = w.dma.usage$(50).subscribe(() => {})
    const heaps: number[] = []
    const started = Date.now()
    for (let phase = 0; phase < PHASES; phase++) {
      await w.run(opsPerPhase)
      await w.drain()
      const s = w.dma.stats()
      expect([
        s.used,
        s.liveMappings,
        s.transientNslabs,
        s.throttle.waiting,
        s.throttle.blockingUsed,
      ]).toEqual([0, 0, 0, 0, 0])
      expect(s.pools, 'every grown pool was shrunk').toBe(1)
      expect(w.clock.pendingTimers, 'timers: the usage$ sampler only').toBe(1)
      heaps.push(heapAfterGc())
    }
    usage.unsubscribe()
    sub.unsubscribe()
    w.dma.close()
    expect(w.clock.pendingTimers).toBe(0)
    const s = w.dma.stats()
    const mib = (b: number) => (b / 1024 / 1024).toFixed(2)
    console.info(
      `${name}: ${w.counts.ops} ops in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}),`,
      JSON.stringify(w.counts),
      `grows ${s.growth.grows}, shrinks ${s.growth.shrinks}, transients ${s.growth.transients};`,
      `heap after each phase (MiB): ${heaps.map(mib).join(' ')}`,
    )
    expect(s.growth.grows).toBeGreaterThan(0)
    expect(s.growth.shrinks).toBe(s.growth.grows)
    // Phase 0 warms up (JIT, histogram, caches); after that the heap must not grow.
    const base = heaps[1]!
    for (const h of heaps.slice(2))
      expect(h - base, `heap grew: ${heaps.map(mib).join(' ')} MiB`).toBeLessThan(TOLERANCE_BYTES)
  })
}

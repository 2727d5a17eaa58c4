import { describe, expect, it } from 'vitest'
import { SLOT_SIZE } from '../../src/index.js'
import { parseSpec, runPolicy } from '../../src/sim/index.js'

/** A 1 MiB pool overrun while a grow that never lands: failed searches take transient pools. */
const spec = parseSpec({
  name: 'overrun',
  cpus: 4,
  pool: '1M',
  runtime: '20ms',
  sampleMs: 0.5,
  devices: [{ name: 'nvme0', type: 'nvme', bandwidth: '2G' }],
  jobs: [{ name: 'j', rw: 'randread', bs: '64k', iodepth: 8, numjobs: 4, continue_on_error: 'io' }],
  policies: ['dynamic'],
  tuning: { growCost: { fixedMs: 1000, perMiBMs: 0 } },
})

describe('the sampler behind hiwater.sampled reads debugfs io_tlb_used', () => {
  it('transient pools included (total_used), as the exact mark beside it counts them', async () => {
    let reads: number[] = []
    const { result } = await runPolicy(spec, 'dynamic', 1, undefined, {
      observe: (_policy, dma) => {
        // What debugfs io_tlb_used shows at every sampler tick: the pools' used plus the transient slots.
        reads = []
        const sub = dma.usage$(spec.sampleMs).subscribe((s) => reads.push(s.used + s.transientNslabs))
        return () => sub.unsubscribe()
      },
    })
    expect(result.growth.transients).toBeGreaterThan(0)
    // The grow never lands: the pool stays 1 MiB and debugfs shows the transient pools above it.
    expect(Math.max(...reads) * SLOT_SIZE).toBeGreaterThan(spec.pool.size)
    expect(result.hiwater.sampled).toBeGreaterThan(spec.pool.size)
    expect(result.hiwater.sampled).toBeLessThanOrEqual(result.hiwater.exact)
  })
})

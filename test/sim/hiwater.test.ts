import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { SLOT_SIZE, Swiotlb, VirtualClock } from '../../src/index.js'
import { defaultHiwaterAreas, parseSpec, runHiwater, runPolicy, UsageTrace } from '../../src/sim/index.js'
import { memoryIo } from './cli-io.js'

const MIB = 1024 * 1024

describe('UsageTrace: usage after every change, and what a sampler reads of it', () => {
  it('follows map and unmap exactly; a sampler sees the changes made before its read', async () => {
    const clock = new VirtualClock()
    const dma = new Swiotlb({ size: '1M', backing: false, clock, throttle: false })
    const trace = new UsageTrace(dma)
    const a = dma.tryMap(8 * 1024)! // 4 slots at t=0
    await clock.advanceBy(1)
    const b = dma.tryMap(20 * 1024)! // 10 slots at t=1: 14
    await clock.advanceBy(0.5)
    b.unmap() // t=1.5: 4
    await clock.advanceBy(2)
    a.unmap() // t=3.5: 0
    trace.stop()
    dma.tryMap(2048) // after stop: not recorded
    expect(trace.atMs).toEqual([0, 0, 1, 1.5, 3.5])
    expect(trace.used).toEqual([0, 4, 14, 4, 0])
    expect(trace.max()).toBe(14)
    expect(trace.max()).toBe(dma.stats().hiwater)
    // Every 1 ms from 0.2: reads at 0.2, 1.2, 2.2, 3.2 → 4, 14, 4, 4.
    expect(trace.sampledMax(1, 0.2, 4)).toBe(14)
    // Every 1 ms from 0.6: reads at 0.6, 1.6, 2.6, 3.6 → 4, 4, 4, 0: the 0.5 ms peak is missed.
    expect(trace.sampledMax(1, 0.6, 4)).toBe(4)
    // Every 1 ms from 0: the read at 1 comes before the map made at 1 → 0, 4, 4, 4, 0.
    expect(trace.sampledMax(1, 0, 4)).toBe(4)
    expect(trace.sampledMax(10, 5, 4)).toBe(0) // no read before the end
  })

  it('the trace of a whole run peaks at the exact high-water mark', async () => {
    const spec = parseSpec({
      name: 't',
      cpus: 4,
      pool: '8M',
      runtime: '20ms',
      sampleMs: 1,
      jobs: [{ name: 'j', rw: 'randread', bssplit: '16k/50:128k/50', iodepth: 8, numjobs: 4 }],
    })
    let trace: UsageTrace | undefined
    const { result } = await runPolicy(spec, 'fail', 1, undefined, {
      observe: (_policy, dma) => {
        trace = new UsageTrace(dma)
        return undefined
      },
    })
    expect(trace!.max() * SLOT_SIZE).toBe(result.hiwater.exact)
    expect(trace!.used.at(-1)).toBe(0)
    // Read at phase 0, the trace gives what the run's own sampler (every sampleMs) reported.
    expect(trace!.sampledMax(spec.sampleMs, 0, spec.runtimeMs) * SLOT_SIZE).toBe(result.hiwater.sampled)
  })
})

describe('runHiwater: Kelley’s sampler experiment', () => {
  const spec = parseSpec({
    name: 'bursts',
    cpus: 4,
    pool: '8M',
    runtime: '40ms',
    jobs: [0, 1, 2, 3].map((cpu) => ({
      name: `b${cpu}`,
      rw: 'randread',
      bs: '128k',
      iodepth: 8,
      cpus_allowed: String(cpu),
      startdelay: `${cpu * 10}ms`,
      runtime: '2ms',
    })),
  })

  it('sampled ÷ exact never above 1 and exact at a fine interval; per-area sum ÷ exact grows with areas', async () => {
    const r = await runHiwater(spec, {
      areas: [1, 4],
      intervalsMs: [0.01, 5, 30],
      seeds: { first: 1, count: 2 },
      jobs: 1,
    })
    expect(r.sampled.map((s) => s.intervalMs)).toEqual([0.01, 5, 30])
    for (const s of r.sampled) {
      expect(s.worst).toBeLessThanOrEqual(s.mean)
      expect(s.mean).toBeLessThanOrEqual(1)
    }
    expect(r.sampled[0]!.worst).toBeGreaterThan(0.95)
    expect(r.sampled[2]!.worst).toBeLessThan(r.sampled[0]!.worst)
    // One burst per CPU, one at a time: with 4 areas each CPU's burst has its own area's mark.
    expect(r.perAreaSum[0]).toEqual({ areas: 1, mean: 1, worst: 1 })
    expect(r.perAreaSum[1]!.mean).toBeGreaterThan(3)
    expect(defaultHiwaterAreas(8 * MIB)).toEqual([1, 2, 4, 8, 16, 32])
    await expect(runHiwater(spec, { areas: [3] })).rejects.toThrow(
      'Expected `areas` to be area counts that split the 32-segment pool into whole segments each, got 3 (number)',
    )
  })

  it('under dynamic, transient pools count in the record a sampler reads, so sampled ÷ exact stays ≤ 1', async () => {
    // A grow that never finishes within the run: every overflow gets a transient pool.
    const tight = {
      ...spec,
      pool: { size: 512 * 1024, areas: 1 },
      tuning: { ...spec.tuning, growCost: { fixedMs: 10_000, perMiBMs: 0 } },
    }
    const r = await runHiwater(tight, {
      policy: 'dynamic',
      areas: [1],
      intervalsMs: [0.01, 5],
      seeds: { first: 1, count: 1 },
      jobs: 1,
    })
    expect(r.sampled[0]!.worst).toBeGreaterThan(0.95)
    for (const s of r.sampled) expect(s.mean).toBeLessThanOrEqual(1)
  })

  it('the CLI prints both tables; --jobs 2 gives the same bytes', async () => {
    const files = {
      'b.json': JSON.stringify({
        name: 'b',
        cpus: 2,
        pool: '4M',
        runtime: '20ms',
        jobs: [{ name: 'j', rw: 'randread', bs: '64k', iodepth: 4 }],
      }),
    }
    const outputs: string[] = []
    for (const jobs of ['1', '2']) {
      const { io, out } = memoryIo({ files })
      const args = [
        'hiwater',
        'b.json',
        '--areas',
        '1,2',
        '--intervals',
        '0.1,10',
        '--seeds',
        '2',
        '--jobs',
        jobs,
      ]
      expect(await main(args, io)).toBe(0)
      outputs.push(out.stdout)
    }
    expect(outputs[1]).toBe(outputs[0])
    expect(outputs[0]).toContain('b under fail: pool 4.0 MiB, 20 ms, 4 runs (2 seeds × 2 area counts)')
    expect(outputs[0]).toMatch(/^0\.1 ms +1\.000× +1\.000×$/m)
    expect(outputs[0]).toMatch(/^areas +mean +worst$/m)
  })
})

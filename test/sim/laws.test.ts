import { describe, expect, it } from 'vitest'
import { Swiotlb } from '../../src/index.js'
import {
  DEFAULT_VCPU,
  Engine,
  JobClone,
  Measures,
  Nvme,
  nvmeKind,
  parseJob,
  SimContext,
} from '../../src/sim/index.js'
import { sampleInFlight } from './in-flight.js'

/**
 * A run built by hand, so that the test sees every completion: 8 clones on 4 vCPUs read a mix of
 * 4 KiB to 256 KiB from the calibrated NVMe drive at 1 GB/s, at iodepth 16, two of them rate-limited.
 */
async function run(runtimeMs: number) {
  const engine = new Engine()
  const dma = new Swiotlb({ size: '512M', areas: 4, backing: false, clock: engine.clock, throttle: false })
  const measures = new Measures()
  measures.windowEndMs = runtimeMs
  const ctx = new SimContext(engine, dma, measures, 7, 4, runtimeMs, DEFAULT_VCPU)
  const nvme = new Nvme(nvmeKind.parse('d', { name: 'nvme0', type: 'nvme', bandwidth: 1e9 }), ctx)
  const completions: Array<{ atMs: number; bytes: number }> = []
  const completed = measures.completed.bind(measures)
  measures.completed = (d, bytes, atMs, clatMs) => {
    completions.push({ atMs, bytes })
    completed(d, bytes, atMs, clatMs)
  }
  // Little's law needs the time-average of what is in flight: sampled every 10 µs.
  const meanInFlight = sampleInFlight(engine, measures, runtimeMs)
  const jobs = [
    { name: 'mix', rw: 'randread', bssplit: '4k/40:64k/30:256k/30', iodepth: 16, numjobs: 6 },
    { name: 'paced', rw: 'randread', bs: '16k', iodepth: 16, numjobs: 2, rate_iops: 3000 },
  ]
  let cpu = 0
  for (const raw of jobs) {
    const job = parseJob('j', raw, { cpus: 4, runtimeMs, devices: ['nvme0'] })
    for (let i = 0; i < job.numjobs; i++) new JobClone(job, i, cpu++ % 4, nvme, ctx).run().catch(ctx.fatal)
  }
  await engine.clock.advanceBy(runtimeMs + 100)
  if (ctx.error !== undefined) throw ctx.error
  return { measures, completions, meanInFlight: meanInFlight() }
}

describe('queueing laws hold in a run with vCPU costs and a calibrated device', () => {
  it("Little's law: mean I/Os in flight = completion rate × mean latency", async () => {
    const runtimeMs = 200
    const { measures, completions, meanInFlight } = await run(runtimeMs)
    const inWindow = completions.filter((c) => c.atMs <= runtimeMs).length
    const rate = inWindow / runtimeMs // I/Os per ms
    const meanLatencyMs = measures.clat.sum / measures.clat.count
    expect(meanInFlight).toBeGreaterThan(50)
    expect(Math.abs(meanInFlight - rate * meanLatencyMs) / meanInFlight).toBeLessThan(0.05)
  })

  it('the bandwidth cap: no 100 ms window moves more than the link', async () => {
    const { completions } = await run(400)
    for (let start = 0; start < 400; start += 100) {
      const bytes = completions
        .filter((c) => c.atMs > start && c.atMs <= start + 100)
        .reduce((sum, c) => sum + c.bytes, 0)
      // 1 GB/s for 100 ms, plus at most one I/O that started crossing in the window before.
      expect(bytes).toBeLessThanOrEqual(1e9 * 0.1 + 256 * 1024)
      expect(bytes).toBeGreaterThan(0.9 * 1e9 * 0.1) // and the device is the bottleneck
    }
    expect(completions.length).toBeGreaterThan(0)
  })
})

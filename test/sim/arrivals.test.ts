import { describe, expect, it } from 'vitest'
import { JobClone, Nvme, parseJob, SpecError } from '../../src/sim/index.js'
import { makeContext, NVME } from './harness.js'

const job = (raw: Record<string, unknown>) =>
  parseJob(
    'j',
    { name: 'j', rw: 'read', iodepth: 16, ...raw },
    { cpus: 4, runtimeMs: 100, devices: ['nvme0'] },
  )

/** The times (µs) at which one clone of `raw` issued its I/Os, seed `seed`. */
async function issueTimes(raw: Record<string, unknown>, seed: number, clone = 0): Promise<number[]> {
  const { clock, ctx, dma } = makeContext({ endMs: 100, seed })
  const times: number[] = []
  dma.events$.subscribe((e) => {
    if (e.type === 'map') times.push(Math.round(clock.now() * 1000))
  })
  const nvme = new Nvme(NVME, ctx)
  await Promise.all([new JobClone(job(raw), clone, 0, nvme, ctx).run(), clock.runAll()])
  return times
}

describe("fio's random arrivals", () => {
  it("startdelay 'lo-hi': each clone starts at a seeded point of the range", async () => {
    expect(job({ startdelay: '20ms-30ms' })).toMatchObject({ startDelayMs: 20, startDelaySpreadMs: 10 })
    const starts = [1, 2, 3].map(
      async (seed) => (await issueTimes({ startdelay: '20ms-30ms', runtime: '1ms' }, seed))[0]!,
    )
    const [a, b, c] = await Promise.all(starts)
    for (const t of [a!, b!, c!]) {
      expect(t).toBeGreaterThanOrEqual(20_000)
      expect(t).toBeLessThanOrEqual(30_000)
    }
    expect(new Set([a, b, c]).size).toBe(3)
    // Another clone of the same seed draws its own start.
    expect((await issueTimes({ startdelay: '20ms-30ms', runtime: '1ms' }, 1, 1))[0]).not.toBe(a)
  })

  it('rate_process=poisson: exponential gaps around the same mean rate; linear: even gaps', async () => {
    const linear = await issueTimes({ rate_iops: 2000 }, 1)
    expect(new Set(linear.slice(1).map((t, i) => t - linear[i]!))).toEqual(new Set([500]))
    const poisson = await issueTimes({ rate_iops: 2000, rate_process: 'poisson' }, 1)
    const gaps = poisson.slice(1).map((t, i) => t - poisson[i]!)
    expect(poisson.length).toBeGreaterThan(160) // 200 expected in 100 ms
    expect(poisson.length).toBeLessThan(240)
    expect(Math.min(...gaps)).toBeLessThan(100)
    expect(Math.max(...gaps)).toBeGreaterThan(1500)
    expect(await issueTimes({ rate_iops: 2000, rate_process: 'poisson' }, 2)).not.toEqual(poisson)
  })

  it('rejects a reversed range and an unknown process, naming the field', () => {
    expect(() => job({ startdelay: '30ms-20ms' })).toThrow(SpecError)
    expect(() => job({ startdelay: '30ms-20ms' })).toThrow('j.startdelay')
    expect(() => job({ rate_process: 'bursty' })).toThrow(
      "Expected `j.rate_process` to be 'linear' or 'poisson'",
    )
  })
})

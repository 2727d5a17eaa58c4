import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../src/index.js'
import { poolWords } from '../../src/report/format.js'
import {
  builtPoolBytes,
  DEFAULT_TUNING,
  parseSpec,
  policyOptions,
  runPolicy,
  type SimSpec,
  UsageTrace,
} from '../../src/sim/index.js'

const MIB = 1024 * 1024

const small = (extra: Record<string, unknown> = {}): SimSpec =>
  parseSpec({
    name: 'small',
    cpus: 4,
    pool: '2M',
    runtime: '40ms',
    jobs: [{ name: 'j', rw: 'randread', bs: '64k', iodepth: 12, numjobs: 4 }],
    ...extra,
  })

describe('pool bytes', () => {
  it('are the pool the Swiotlb built, for every policy: 1.25 MiB in 4 areas is 2 MiB', async () => {
    // The Swiotlb rounds a pool up to whole segments per area (setup_io_tlb_npages and the areas'
    // split); a policy that never grows reported the size asked for as its pool and its peak.
    const spec = parseSpec({
      name: 'odd',
      cpus: 2,
      pool: { size: '1280K', areas: 4 },
      runtime: '5ms',
      jobs: [{ name: 'j', rw: 'randread', bs: '4k', iodepth: 2 }],
      policies: ['fail', 'throttle', 'hybrid'],
    })
    for (const policy of ['fail', 'throttle', 'hybrid'] as const) {
      const { result } = await runPolicy(spec, policy, 1)
      expect([policy, result.poolBytes.initial, result.poolBytes.peak]).toEqual([policy, 2 * MIB, 2 * MIB])
    }
  })

  it('the pool in words names the pool built where it differs from the size asked for', () => {
    expect(poolWords({ size: 1280 * 1024, areas: 4 })).toBe('1.3 MiB pool (2.0 MiB built) in 4 areas')
    expect(poolWords({ size: 64 * MIB, areas: 16 })).toBe('64.0 MiB pool in 16 areas')
    // Whole segments first: 300 KiB is 512 KiB in one area.
    expect(builtPoolBytes({ size: 300 * 1024, areas: 1 })).toBe(512 * 1024)
  })
})

describe('policies', () => {
  it('map to the Swiotlb options of DESIGN §8', () => {
    const clock = new VirtualClock()
    const pool = { size: 8 * MIB, areas: 4 }
    const o = (p: Parameters<typeof policyOptions>[0]) => policyOptions(p, pool, DEFAULT_TUNING, clock)
    expect(o('fail')).toMatchObject({ throttle: false, backing: false, size: 8 * MIB, areas: 4 })
    expect(o('fail').growth).toBeUndefined()
    expect(o('rfc').throttle).toEqual({ mode: 'serialize', high: 0.7, low: 0.65, whenFull: 'fail' })
    expect(o('rfc-wait').throttle).toEqual({ mode: 'serialize', high: 0.7, low: 0.65, whenFull: 'wait' })
    expect(o('throttle').throttle).toEqual({ high: 0.7 })
    expect(o('fair-share').throttle).toEqual({ high: 0.7, mode: 'fair-share' })
    expect(o('dynamic')).toMatchObject({
      throttle: false,
      growth: { background: { onFailure: true }, searchOrder: 'newest-first', chunkBytes: 4 * MIB },
    })
    expect(o('dynamic').growth).not.toHaveProperty('maxBytes')
    expect(o('hybrid')).toMatchObject({ throttle: { high: 0.7 }, growth: { waitMs: 5, maxBytes: 16 * MIB } })
  })
})

describe('runPolicy', () => {
  it('records a timeline of 400 points with the threshold of policies that have one', async () => {
    const spec = small()
    const throttle = await runPolicy(spec, 'throttle', 1)
    const t = throttle.series.timeline
    expect(t.atMs).toHaveLength(400)
    expect(t.atMs[0]).toBeCloseTo(0.1, 9)
    expect(t.atMs[399]).toBeCloseTo(40, 9)
    expect(t.thresholdBytes?.[0]).toBe(Math.floor(0.7 * 1024) * 2048)
    expect(Math.max(...t.usedBytes)).toBeLessThanOrEqual(throttle.result.hiwater.exact)
    expect(t.hiwaterBytes.at(-1)).toBeLessThanOrEqual(throttle.result.hiwater.exact)
    expect(Math.max(...t.waiting)).toBeGreaterThan(0)
    const fail = await runPolicy(spec, 'fail', 1)
    expect(fail.series.timeline.thresholdBytes).toBeUndefined()
    expect(fail.series.timeline.waiting.every((n) => n === 0)).toBe(true)
  })

  it('the usage chart counts transient pools as the table does: used, the high-water line, capacity', async () => {
    // Bursts that end before the runtime, on a pool whose grow never finishes: every overflow under
    // dynamic gets a transient pool. The summary's hiwater counts them (debugfs io_tlb_used_hiwater);
    // the chart's dashed high-water line ended below it (rpi4-display, seed 1: 56.9 against 71.4 MiB).
    const spec = parseSpec({
      name: 'transients',
      cpus: 4,
      pool: '512K',
      runtime: '40ms',
      tuning: { growCost: { fixedMs: 10_000, perMiBMs: 0 } },
      jobs: [0, 1, 2, 3].map((cpu) => ({
        name: `b${cpu}`,
        rw: 'randread',
        bs: '128k',
        iodepth: 8,
        cpus_allowed: String(cpu),
        startdelay: `${cpu * 5}ms`,
        runtime: '2ms',
      })),
    })
    let trace: UsageTrace | undefined
    const { result, series } = await runPolicy(spec, 'dynamic', 1, undefined, {
      observe: (_policy, dma) => {
        trace = new UsageTrace(dma)
        return undefined
      },
    })
    trace!.stop()
    expect(result.growth.transients).toBeGreaterThan(0)
    const t = series.timeline
    // Nothing maps after 30 ms: the last point's mark is the run's.
    expect(t.hiwaterBytes.at(-1)).toBe(result.hiwater.exact)
    expect(Math.max(...trace!.used) * 2048).toBe(result.hiwater.exact)
    // used at each point is the usage record's (every mapping, transient ones too) at that instant,
    // reading the changes made up to it or before it.
    const usageAt = (ms: number, strict: boolean) => {
      let i = 0
      while (i + 1 < trace!.atMs.length && (strict ? trace!.atMs[i + 1]! < ms : trace!.atMs[i + 1]! <= ms))
        i++
      return trace!.used[i]! * 2048
    }
    let transientSeen = false
    t.atMs.forEach((ms, i) => {
      expect([usageAt(ms, true), usageAt(ms, false)]).toContain(t.usedBytes[i])
      expect(t.usedBytes[i]!).toBeLessThanOrEqual(t.hiwaterBytes[i]!)
      expect(t.usedBytes[i]!).toBeLessThanOrEqual(t.capacityBytes[i]!)
      if (t.capacityBytes[i]! > 512 * 1024 && t.usedBytes[i]! > 512 * 1024) transientSeen = true
    })
    expect(transientSeen).toBe(true)
  })

  it('counts transient pools in the peak and grows in grown', async () => {
    const { result } = await runPolicy(small(), 'dynamic', 1)
    expect(result.ioErrors).toBe(0)
    expect(result.growth.transients + result.growth.grows).toBeGreaterThan(0)
    expect(result.poolBytes.grown).toBe(result.growth.grows * 2 * MIB) // the worker's pool: the default pool's size
    expect(result.poolBytes.peak).toBeGreaterThanOrEqual(result.poolBytes.initial + result.poolBytes.grown)
    expect(result.poolBytes.peak).toBeGreaterThan(result.poolBytes.initial)
  })

  it('stops early on the first error when asked (sizing)', async () => {
    const spec = small({
      jobs: [{ name: 'j', rw: 'randread', bs: '64k', iodepth: 12, numjobs: 4, continue_on_error: 'io' }],
    })
    const full = await runPolicy(spec, 'fail', 1)
    const early = await runPolicy(spec, 'fail', 1, undefined, { stopOnError: true })
    expect(early.result.ioErrors).toBeGreaterThan(0)
    expect(early.result.ios).toBeLessThan(full.result.ios)
  })
})

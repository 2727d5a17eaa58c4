import { describe, expect, it } from 'vitest'
import {
  findScenario,
  type PolicyResult,
  runScenario,
  SCENARIOS,
  type SimResult,
} from '../../src/sim/index.js'

const MIB = 1024 * 1024

// Each scenario's claim (see its `claim` and docs/simulation.md), asserted on its own result, seed 1.
async function run(name: string): Promise<Record<string, PolicyResult>> {
  const result: SimResult = await runScenario(name)
  return result.policies as Record<string, PolicyResult>
}

describe('scenario catalogue', () => {
  it('has the seven scenarios of DESIGN §8, each with a claim and a source', () => {
    expect(SCENARIOS.map((s) => s.name)).toEqual([
      'coco-fio',
      'hiwater-accuracy',
      'dmabuf-hog',
      'nvme-polling',
      'snail-cheetah',
      'rpi4-display',
      'dynamic-pools',
    ])
    for (const s of SCENARIOS) {
      expect(s.claim.length).toBeGreaterThan(40)
      expect(s.source.length).toBeGreaterThan(10)
    }
  })
})

describe('coco-fio: without throttling I/Os fail; with it none do, and the high-water mark stays near the threshold', () => {
  it('holds', async () => {
    const p = await run('coco-fio')
    const capacity = 32 * MIB
    expect(p['fail']!.ioErrors).toBeGreaterThan(100)
    expect(p['fail']!.hiwater.exact).toBeGreaterThan(0.95 * capacity)
    expect(p['throttle']!.ioErrors).toBe(0)
    expect(p['throttle']!.stuckIos).toBe(0)
    // The blocking budget (70 %) plus the NIC's rings (4 queues × 256 buffers × 2 KiB), never more.
    const rings = 4 * 256 * 2048
    expect(Math.abs(p['throttle']!.hiwater.exact - (0.7 * capacity + rings))).toBeLessThan(0.05 * capacity)
    expect(p['throttle']!.throttle.waits).toBeGreaterThan(0)
    // The same work gets done: the disk is the bottleneck, not the pool.
    expect(p['throttle']!.devices['nvme0']!.mibps).toBeGreaterThan(0.95 * p['fail']!.devices['nvme0']!.mibps)
  })
})

describe('hiwater-accuracy: per-area marks summed say ~16 MiB, the exact mark ~4 MiB', () => {
  it('holds', async () => {
    for (const r of Object.values(await run('hiwater-accuracy'))) {
      expect(r.hiwater.perAreaSum / MIB).toBeCloseTo(16, 0)
      expect(r.hiwater.exact / MIB).toBeCloseTo(4, 0)
      expect(r.hiwater.sampled).toBeLessThanOrEqual(r.hiwater.exact)
    }
  })
})

describe('dmabuf-hog: a pool-filling import stalls throttled I/O; the bounded grow keeps it moving', () => {
  it('holds', async () => {
    const p = await run('dmabuf-hog')
    expect(p['fail']!.ioErrors).toBeGreaterThan(0)
    // Throttled I/O starts at 50 ms and waits until the import lets go at 500 ms.
    expect(p['throttle']!.ioErrors).toBe(0)
    expect(p['throttle']!.mapWaitUs.max).toBeGreaterThan(400_000)
    expect(p['hybrid']!.ioErrors).toBe(0)
    expect(p['hybrid']!.poolBytes.grown).toBeGreaterThan(0)
    expect(p['hybrid']!.poolBytes.peak).toBeLessThanOrEqual(128 * MIB)
    expect(p['hybrid']!.mapWaitUs.max).toBeLessThan(20_000)
    expect(p['hybrid']!.ios).toBeGreaterThan(1.5 * p['throttle']!.ios)
  })
})

describe('nvme-polling: a polling submitter asleep in map cannot reap what would free it', () => {
  it('holds', async () => {
    const p = await run('nvme-polling')
    for (const stuck of ['throttle', 'rfc']) {
      expect(p[stuck]!.stuckIos).toBeGreaterThan(0)
      expect(p[stuck]!.ios).toBeLessThan(0.01 * p['hybrid']!.ios)
    }
    expect(p['fail']!.stuckIos).toBe(0)
    expect(p['fail']!.ioErrors).toBeGreaterThan(0)
    expect(p['hybrid']!.stuckIos).toBe(0)
    expect(p['hybrid']!.ioErrors).toBe(0)
    expect(p['hybrid']!.poolBytes.grown).toBeGreaterThan(0)
    expect(p['hybrid']!.poolBytes.peak).toBeLessThanOrEqual(32 * MIB)
  })
})

describe('snail-cheetah: one FIFO makes the fast device wait for the slow one; fair share does not', () => {
  it('holds', async () => {
    const p = await run('snail-cheetah')
    const cheetah = (policy: string) => p[policy]!.devices['cheetah']!
    expect(cheetah('throttle').mapWaitUs.p99).toBeGreaterThan(5_000)
    expect(cheetah('fair-share').mapWaitUs.p99).toBeLessThan(10)
    expect(cheetah('fair-share').ios).toBeGreaterThan(50 * cheetah('throttle').ios)
    // Without a throttle the snail's full maps are requeued, not failed.
    expect(p['fail']!.devices['snail']!.requeues).toBeGreaterThan(0)
    // Rates count what completed within the runtime: never more than the snail's 40 MiB/s link.
    for (const r of Object.values(p)) expect(r.devices['snail']!.mibps).toBeLessThanOrEqual(40)
    expect(p['fail']!.ioErrors).toBe(0)
  })
})

describe('rpi4-display: the 34 MiB buffer needs 136 free segments; only growth maps it under load', () => {
  it('holds', async () => {
    const p = await run('rpi4-display')
    for (const fixed of ['fail', 'rfc', 'throttle', 'hybrid']) {
      expect(p[fixed]!.imports).toEqual({ ok: 1, failed: expect.any(Number) })
      expect(p[fixed]!.imports.failed).toBeGreaterThan(0)
    }
    expect(p['dynamic']!.imports).toEqual({ ok: 2, failed: 0 })
    expect(p['dynamic']!.growth.transients).toBeGreaterThan(0)
    for (const r of Object.values(p)) expect(r.ioErrors).toBe(0)
  })
})

describe('dynamic-pools: 4 MiB pools get min(areas, 16) areas; the count follows demand', () => {
  it('holds', async () => {
    const p = await run('dynamic-pools')
    expect(findScenario('dynamic-pools').spec['pool']).toEqual({ size: '16M', areas: 32 })
    for (const grown of ['dynamic', 'hybrid']) {
      const { count, areas } = p[grown]!.pools
      expect(count).toBeGreaterThan(5)
      expect(areas).toBe(32 + 16 * (count - 1))
      expect(p[grown]!.ioErrors).toBe(0)
    }
    expect(p['dynamic']!.poolBytes.peak).toBeGreaterThan(64 * MIB)
    expect(p['hybrid']!.poolBytes.peak).toBeLessThanOrEqual(64 * MIB)
    expect(p['fail']!.ioErrors).toBeGreaterThan(0)
  })
})

import { expect } from 'vitest'
import type { PolicyResult } from '../../src/sim/index.js'

const MIB = 1024 * 1024

/** A run's results, by policy. */
export type Results = Record<string, PolicyResult>

/** One scenario's claim as assertions on one run of it. */
export interface Claim {
  title: string
  check: (p: Results) => void
}

/**
 * Each scenario's claim (its `claim`, docs/simulation.md) as assertions on one run: checked on seed 1
 * by test/sim/scenarios.test.ts and on 20 seeds by the soak suite (test/soak/scenario-seeds-a.test.ts and -b).
 */
export const CLAIMS: Record<string, Claim> = {
  'coco-fio': {
    title: 'without throttling I/Os fail; with it none do, and the high-water mark stays near the threshold',
    check: (p) => {
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
      expect(p['throttle']!.devices['nvme0']!.mibps).toBeGreaterThan(
        0.95 * p['fail']!.devices['nvme0']!.mibps,
      )
    },
  },
  'hiwater-accuracy': {
    title: 'per-area marks summed say ~16 MiB, the exact mark ~4 MiB',
    check: (p) => {
      for (const r of Object.values(p)) {
        expect(r.hiwater.perAreaSum / MIB).toBeCloseTo(16, 0)
        expect(r.hiwater.exact / MIB).toBeCloseTo(4, 0)
        expect(r.hiwater.sampled).toBeLessThanOrEqual(r.hiwater.exact)
      }
    },
  },
  'dmabuf-hog': {
    title: 'a pool-filling import stalls throttled I/O (the RFC fails it); the bounded grow keeps it moving',
    check: (p) => {
      expect(p['fail']!.ioErrors).toBeGreaterThan(0)
      // Throttled I/O starts at 40–60 ms and waits until the import lets go at 500 ms.
      expect(p['throttle']!.ioErrors).toBe(0)
      // The RFC fails a throttled request that finds no slots: fio stops each clone at its error.
      expect(p['rfc']!.ioErrors).toBeGreaterThan(0)
      expect(p['rfc']!.ios).toBe(0)
      expect(p['throttle']!.mapWaitUs.max).toBeGreaterThan(400_000)
      expect(p['hybrid']!.ioErrors).toBe(0)
      expect(p['hybrid']!.poolBytes.grown).toBeGreaterThan(0)
      expect(p['hybrid']!.poolBytes.peak).toBeLessThanOrEqual(128 * MIB)
      expect(p['hybrid']!.mapWaitUs.max).toBeLessThan(20_000)
      expect(p['hybrid']!.ios).toBeGreaterThan(1.5 * p['throttle']!.ios)
    },
  },
  'nvme-polling': {
    title: 'a polling submitter asleep in map cannot reap what would free it',
    check: (p) => {
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
    },
  },
  'snail-cheetah': {
    title: 'one FIFO makes the fast device wait for the slow one; fair share does not',
    check: (p) => {
      const cheetah = (policy: string) => p[policy]!.devices['cheetah']!
      expect(cheetah('throttle').mapWaitUs.p99).toBeGreaterThan(5_000)
      expect(cheetah('fair-share').mapWaitUs.p99).toBeLessThan(100)
      expect(cheetah('fair-share').ios).toBeGreaterThan(20 * cheetah('throttle').ios)
      // Without a throttle the pool fills: the snail's full maps are requeued, never failed; the
      // cheetah's fail (which device meets the full pool first is a draw of the seed).
      const full = p['fail']!.devices
      expect(full['snail']!.requeues + full['cheetah']!.ioErrors).toBeGreaterThan(0)
      expect(full['snail']!.ioErrors).toBe(0)
      // Rates count what completed within the runtime: never more than the snail's 40 MiB/s link.
      for (const r of Object.values(p)) expect(r.devices['snail']!.mibps).toBeLessThanOrEqual(40)
    },
  },
  'rpi4-display': {
    title: 'the 34 MiB buffer needs 136 free segments; only growth maps it under load',
    check: (p) => {
      for (const fixed of ['fail', 'rfc', 'throttle', 'hybrid']) {
        expect(p[fixed]!.imports).toEqual({ ok: 1, failed: expect.any(Number) })
        expect(p[fixed]!.imports.failed).toBeGreaterThan(0)
      }
      expect(p['dynamic']!.imports).toEqual({ ok: 2, failed: 0 })
      expect(p['dynamic']!.growth.transients).toBeGreaterThan(0)
      // The disk never fails (SCSI requeues); a NIC batch may find its ring dry on some seeds.
      for (const r of Object.values(p)) expect(r.devices['sda']!.ioErrors).toBe(0)
    },
  },
  'dynamic-pools': {
    title:
      '4 MiB pools get min(areas, 16) areas; the count follows demand; dynamic fails while it catches up',
    check: (p) => {
      for (const grown of ['dynamic', 'hybrid']) {
        const { count, areas } = p[grown]!.pools
        expect(count).toBeGreaterThan(5)
        expect(areas).toBe(32 + 16 * (count - 1))
      }
      // Mainline grows after failed searches; its transient pools run out of atomic memory meanwhile.
      expect(p['dynamic']!.ioErrors).toBeGreaterThan(0)
      expect(p['dynamic']!.growth.transients).toBeGreaterThan(0)
      expect(p['hybrid']!.ioErrors).toBe(0)
      expect(p['dynamic']!.poolBytes.peak).toBeGreaterThan(64 * MIB)
      expect(p['hybrid']!.poolBytes.peak).toBeLessThanOrEqual(64 * MIB)
    },
  },
}

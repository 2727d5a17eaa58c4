import type { Scenario } from './scenario.js'

/**
 * Eight CPUs take turns: each runs a 2 MiB burst in its own area, two at a time. Every area's mark
 * reaches 2 MiB, but never more than two areas are busy at once. The device answers in 1 ms, so that
 * a burst keeps its 16 × 128 KiB in flight: against a 100 µs device one job's vCPU, busy with the
 * bounce copies, cannot issue fast enough to fill its depth.
 */
export const hiwaterAccuracy: Scenario = {
  name: 'hiwater-accuracy',
  summary: "Kelley's 64 MiB / 8 areas example: summed per-area marks vs the exact high-water mark",
  claim:
    'Summing per-area high-water marks reports about 16 MiB where the true peak is about 4 MiB; only an exact global mark (or a lucky sample) shows 4 MiB.',
  source:
    'Michael Kelley, review of Jun Miao\'s "swiotlb: eliminate per-map atomic contention on used/hiwater tracking" (2026)',
  spec: {
    name: 'hiwater-accuracy',
    description: 'one 2 MiB burst per CPU and area, two at a time',
    cpus: 8,
    pool: { size: '64M', areas: 8 },
    runtime: '900ms',
    sampleMs: 100,
    devices: [{ name: 'nvme0', type: 'nvme', latencyUs: 1000, bandwidth: '4G' }],
    jobs: [0, 1, 2, 3, 4, 5, 6, 7].map((cpu) => ({
      name: `burst${cpu}`,
      rw: 'randread',
      bs: '128k',
      iodepth: 16,
      cpus_allowed: String(cpu),
      // A start in a 5 ms range and 180 ms of issuing: a burst's last I/Os (6 ms to drain) are done
      // before the burst two places later starts, on every seed.
      startdelay: `${cpu * 100}ms-${cpu * 100 + 5}ms`,
      runtime: '180ms',
    })),
    policies: ['fail', 'throttle'],
  },
}

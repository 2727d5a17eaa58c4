import type { Scenario } from './scenario.js'

/** A 32-CPU machine with a small default pool that must grow in 4 MiB chunks. */
export const dynamicPools: Scenario = {
  name: 'dynamic-pools',
  summary: 'many 4 MiB dynamic pools: how many, with how many areas, and the address lookup',
  claim:
    "A grown pool gets min(areas, slots / 128) areas: 4 MiB pools have 16 areas where the default pool has 32; the pool count grows with demand (unbounded for dynamic, capped by maxBytes for hybrid) and every unmap still finds its pool. Mainline's dynamic grows only after searches fail, and its transient pools come from the atomic pools, which run out: it fails I/Os while it catches up; the hybrid's throttle waits instead.",
  source:
    'Petr Tesařík, "swiotlb: dynamic allocation of bounce buffers" (2023), with the kernel\'s min(areas, slots / 128) areas per pool',
  spec: {
    name: 'dynamic-pools',
    description: '32 clones of 64/256 KiB reads; pools grow in 4 MiB chunks',
    cpus: 32,
    pool: { size: '16M', areas: 32 },
    runtime: '500ms',
    sampleMs: 25,
    devices: [{ name: 'nvme0', type: 'nvme', bandwidth: '4G' }],
    jobs: [
      {
        name: 'fio',
        rw: 'randread',
        bssplit: '64k/50:256k/50',
        iodepth: 16,
        numjobs: 32,
        startdelay: '0-2ms',
        continue_on_error: 'io',
      },
    ],
    policies: ['dynamic', 'hybrid'],
    tuning: { waitMs: 0.5, maxBytes: '64M', chunkBytes: '4M', atUsage: 0.9 },
  },
}

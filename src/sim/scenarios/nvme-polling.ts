import type { Scenario } from './scenario.js'

/** Polled NVMe queues (io_uring IOPOLL): the submitter itself must reap its completions. */
export const nvmePolling: Scenario = {
  name: 'nvme-polling',
  summary: "Robin's polling deadlock: a submitter asleep in map cannot reap the completions that free it",
  claim:
    'With polled queues, a blocking map can wait for slots that only its own unreaped completions hold: throttle and rfc stop with I/Os stuck; fail keeps going with I/O errors; the bounded grow gets out of it.',
  source: 'Robin Murphy, review of the swiotlb throttling RFC (2024)',
  spec: {
    name: 'nvme-polling',
    description: 'polled NVMe queues, 4 threads × iodepth 32 × 128 KiB',
    cpus: 4,
    pool: { size: '8M', areas: 4 },
    runtime: '500ms',
    sampleMs: 25,
    devices: [{ name: 'nvme0', type: 'nvme', bandwidth: '3G', polling: true }],
    jobs: [{ name: 'polled', rw: 'randread', bs: '128k', iodepth: 32, numjobs: 4, startdelay: '0-1ms' }],
    policies: ['fail', 'rfc', 'throttle', 'hybrid'],
    tuning: { waitMs: 2, maxBytes: '32M' },
  },
}

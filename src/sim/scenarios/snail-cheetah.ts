import type { Scenario } from './scenario.js'

/** A slow USB disk and a fast NVMe drive share one pool. */
export const snailCheetah: Scenario = {
  name: 'snail-cheetah',
  summary: "Petr's snail and cheetah: a slow device holds the pool, a fast one waits behind it",
  claim:
    "With one FIFO for everyone, the slow device's mappings fill the budget and the fast device's maps wait at the slow device's pace; a per-device fair share (blk-mq's hctx_may_queue) keeps the fast device's map wait near zero.",
  source: 'Petr Tesařík, review of the swiotlb throttling RFC (2024)',
  spec: {
    name: 'snail-cheetah',
    description: 'USB-SCSI at 40 MiB/s beside NVMe at 1 GiB/s',
    cpus: 8,
    pool: { size: '16M', areas: 8 },
    runtime: '600ms',
    sampleMs: 50,
    devices: [
      { name: 'snail', type: 'scsi', latencyUs: 2000, channels: 4, bandwidth: '40M', queueDepth: 64 },
      { name: 'cheetah', type: 'nvme', latencyUs: 20, bandwidth: '1G' },
    ],
    jobs: [
      {
        name: 'copy',
        device: 'snail',
        rw: 'write',
        bs: '256k',
        iodepth: 32,
        numjobs: 2,
        startdelay: '0-5ms',
        cpus_allowed: '0-1',
      },
      {
        name: 'db',
        device: 'cheetah',
        rw: 'randread',
        bs: '16k',
        iodepth: 16,
        numjobs: 4,
        startdelay: '0-5ms',
        cpus_allowed: '2-5',
      },
    ],
    policies: ['fail', 'rfc', 'throttle', 'fair-share'],
  },
}

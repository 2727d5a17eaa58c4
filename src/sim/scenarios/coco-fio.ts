import type { Scenario } from './scenario.js'

/**
 * A 16-vCPU confidential VM: every DMA bounces through swiotlb (the guest's memory is encrypted).
 * fio bursts on an NVMe disk, mixed block sizes up to 1 MiB (scatter-gather lists), plus network
 * traffic, on a pool that is too small for the disk's peak.
 */
export const cocoFio: Scenario = {
  name: 'coco-fio',
  summary: '16-vCPU CoCo VM: fio bursts on NVMe plus network traffic, pool too small',
  claim:
    "Without throttling the pool overflows and I/Os fail; with the throttle there are no I/O errors and the high-water mark stays near the threshold plus what the NIC's receive rings hold.",
  source: 'Michael Kelley, "swiotlb: Allow swiotlb to throttle" (RFC, August 2024), cover letter',
  spec: {
    name: 'coco-fio',
    description:
      'CoCo VM: NVMe at 2 GiB/s, 10 GbE; fio steady Poisson load plus 400 ms bursts from 250–350 ms',
    cpus: 16,
    pool: { size: '32M', areas: 16 },
    runtime: '1s',
    sampleMs: 50,
    devices: [
      { name: 'nvme0', type: 'nvme', bandwidth: '2G' },
      { name: 'eth0', type: 'nic', pps: 50_000, packetBytes: 1500, batch: 32, queues: 4, ringSize: 256 },
    ],
    jobs: [
      {
        name: 'steady',
        device: 'nvme0',
        rw: 'randrw',
        rwmixread: 70,
        bs: '16k',
        iodepth: 8,
        numjobs: 16,
        rate_iops: 1000,
        rate_process: 'poisson',
        continue_on_error: 'io',
      },
      {
        name: 'burst',
        device: 'nvme0',
        rw: 'randread',
        bssplit: '64k/30:128k/30:256k/40',
        iodepth: 32,
        numjobs: 8,
        startdelay: '250ms-350ms',
        runtime: '400ms',
        continue_on_error: 'io',
      },
    ],
  },
}

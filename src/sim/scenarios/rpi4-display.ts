import type { Scenario } from './scenario.js'

/**
 * A Raspberry Pi 4: 4 CPUs, the default 64 MiB pool, USB disk and Ethernet traffic, and two display
 * buffers imported as dma-bufs: 8 MiB (1080p) at 100 ms and 34 MiB (4K) at 300 ms, retried every 20 ms.
 */
export const rpi4Display: Scenario = {
  name: 'rpi4-display',
  summary: "Petr's Raspberry Pi 4: 8 and 34 MiB display buffers on a pool of 256 KiB segments",
  claim:
    'A display buffer cannot be one mapping (the largest is one 256 KiB segment): the 34 MiB buffer needs 136 free segments at once. Throttling blocking disk I/O does not make that room; on a fixed pool the import fails while the disk is busy, and only growth (transient pools) maps it at once.',
  source: 'Petr Tesařík, dynamic swiotlb series and the throttling RFC review (2023–2024)',
  spec: {
    name: 'rpi4-display',
    description: 'USB disk and GbE; 8 MiB and 34 MiB framebuffers imported at 100 and 300 ms',
    cpus: 4,
    memory: '4G',
    pool: { size: '64M', areas: 4 },
    runtime: '1s',
    sampleMs: 50,
    devices: [
      { name: 'sda', type: 'scsi', latencyUs: 400, channels: 4, bandwidth: '300M', queueDepth: 256 },
      { name: 'eth0', type: 'nic', pps: 80_000, packetBytes: 1500, batch: 32, queues: 1, ringSize: 256 },
    ],
    hogs: [
      { name: 'fb-1080p', bytes: '8M', atMs: 100, holdMs: 2000, retryMs: 20 },
      { name: 'fb-4k', bytes: '34M', atMs: 300, holdMs: 2000, retryMs: 20, cpu: 1 },
    ],
    jobs: [
      {
        name: 'usb',
        device: 'sda',
        rw: 'randrw',
        bssplit: '4k/40:64k/30:256k/30',
        iodepth: 64,
        numjobs: 4,
        startdelay: '0-5ms',
      },
    ],
    // Not a CoCo VM: memory needs no decrypting, so transient pools come from the page allocator.
    tuning: { transientFrom: 'pages' },
  },
}

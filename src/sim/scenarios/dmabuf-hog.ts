import type { Scenario } from './scenario.js'

/** A dma-buf import maps the whole pool non-blocking at boot and holds it; then disk I/O starts. */
export const dmabufHog: Scenario = {
  name: 'dmabuf-hog',
  summary: "Robin's misguided dma-buf import: it fills the pool, blocking I/O must wait or grow",
  claim:
    'A non-blocking import that fills the pool is never throttled, so throttled I/O stalls until it lets go (the RFC fails it instead: a throttled request that finds no slots fails); the bounded grow after waitMs keeps I/O moving with no errors, within maxBytes.',
  source: 'Robin Murphy, review of the swiotlb throttling RFC (2024)',
  spec: {
    name: 'dmabuf-hog',
    description: 'a 64 MiB dma-buf import held for 500 ms, fio on NVMe from 50 ms',
    cpus: 8,
    pool: { size: '64M', areas: 8 },
    runtime: '1s',
    sampleMs: 50,
    devices: [{ name: 'nvme0', type: 'nvme', bandwidth: '2G' }],
    hogs: [{ name: 'dmabuf', bytes: '64M', atMs: 0, holdMs: 500 }],
    jobs: [
      {
        name: 'fio',
        rw: 'randrw',
        bs: '128k',
        iodepth: 8,
        numjobs: 8,
        startdelay: '40ms-60ms',
        runtime: '940ms',
      },
    ],
    tuning: { waitMs: 5, maxBytes: '128M' },
  },
}

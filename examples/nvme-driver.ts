// A small NVMe driver model on virtual time: each controller has a queue depth (a p-limit), maps every
// read with DMA_ATTR_MAY_BLOCK, waits for the device, then unmaps. Two controllers share a bounce
// pool far smaller than their queues could fill. With the throttle, excess requests wait their turn;
// without it (the kernel today), they fail with I/O errors.

import { Histogram, Swiotlb, type ThrottleOptions, VirtualClock } from 'dma-throttle'
import pLimit from 'p-limit'

const KiB = 1024

async function run(throttle: false | ThrottleOptions) {
  const clock = new VirtualClock()
  const dma = new Swiotlb({ size: '4M', areas: 4, backing: false, clock, throttle })
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimer(ms, resolve))
  const clat = new Histogram(1000) // completion latency, ms kept at µs precision
  let errors = 0

  // One controller: `depth` commands in flight, `latencyMs` per command, one CPU per queue.
  function controller(name: string, depth: number, latencyMs: number) {
    const queue = pLimit(depth)
    return (bytes: number, cpu: number) =>
      queue(async () => {
        const start = clock.now()
        try {
          const m = await dma.map(bytes, { mayBlock: true, dir: 'from-device', device: name, cpu })
          await sleep(latencyMs) // the device reads into the bounce buffer
          m.unmap()
          clat.record(clock.now() - start)
        } catch {
          errors++ // the block layer would report an I/O error
        }
      })
  }

  const nvme0 = controller('nvme0', 32, 0.2)
  const nvme1 = controller('nvme1', 32, 0.5)
  const ios: Promise<void>[] = []
  for (let i = 0; i < 2000; i++) ios.push(nvme0(256 * KiB, i % 4), nvme1(128 * KiB, i % 4))
  const done = Promise.all(ios)
  await clock.runAll()
  await done
  const s = dma.stats()
  const seconds = clock.now() / 1000
  console.log(
    `throttle ${throttle === false ? 'off' : 'on '}: ${clat.count} I/Os done, ${errors} I/O errors, ` +
      `${Math.round(clat.count / seconds)} IOPS, clat p50 ${clat.percentile(50).toFixed(2)} ms ` +
      `p99 ${clat.percentile(99).toFixed(2)} ms, hiwater ${s.hiwater}/${s.nslabs} slots, ` +
      `throttled ${s.throttle.highCount}`,
  )
}

await run(false)
await run({ high: 0.9 })

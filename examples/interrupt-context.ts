// A NIC's receive path cannot sleep: it uses tryMap and drops the packet when the pool is full.
// Meanwhile a disk's blocking callers wait their turn in the FIFO. The band above the blocking
// budget (here the upper half of the pool) stays free for the non-blocking path.
import { type Mapping, Swiotlb, VirtualClock } from 'dma-throttle'

const clock = new VirtualClock()
// 1 MiB = 512 slots; blocking callers may hold at most high × 512 = 256 slots.
const dma = new Swiotlb({ size: '1M', backing: false, clock, throttle: { high: 0.5 } })

// Six blocking 128 KiB requests (64 slots each): four fit the budget, two wait.
const disk: Promise<Mapping>[] = []
for (let i = 0; i < 6; i++) disk.push(dma.map(128 * 1024, { mayBlock: true, device: 'disk' }))
await clock.advanceBy(1)
const s = dma.stats()
console.log(`disk: ${s.throttle.blockingUsed} slots held, ${s.throttle.waiting} requests waiting`)

// The interrupt handler maps 1500-byte packets without waiting, while the disk waits.
const packets: Mapping[] = []
let dropped = 0
for (let i = 0; i < 300; i++) {
  const m = dma.tryMap(1500, { device: 'eth0', dir: 'from-device' })
  if (m === undefined) dropped++
  else packets.push(m)
}
console.log(`eth0: ${packets.length} packets mapped, ${dropped} dropped (pool full), never waited`)

// The disk's first two mappings complete: the waiters are admitted in arrival order.
const [d0, d1] = await Promise.all([disk[0]!, disk[1]!])
await clock.advanceBy(5)
d0.unmap()
d1.unmap()
const rest = await Promise.all(disk.slice(2))
console.log(
  `disk: waited ${rest.map((m) => m.waitedMs).join(', ')} ms (the last two waited for the first two)`,
)

for (const m of [...packets, ...rest]) m.unmap()
const end = dma.stats()
console.log(`end: used ${end.used}, failures ${end.failures}, throttled ${end.throttle.highCount}`)

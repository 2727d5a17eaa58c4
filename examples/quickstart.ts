// The smallest tour: map a buffer into the bounce pool, let a "device" write to it, unmap.
import { Swiotlb, SwiotlbFullError, VirtualClock } from 'dma-throttle'

const dma = new Swiotlb({ size: '1M', areas: 2, clock: new VirtualClock() })

// A read from the device: the caller's buffer is copied in at map time and back at unmap.
const buf = new Uint8Array(4096)
const m = await dma.map(buf, { mayBlock: true, dir: 'from-device', device: 'nvme0' })
console.log(`mapped ${m.size} bytes at 0x${m.addr.toString(16)}: ${m.slots} slots of 2048 bytes`)
m.bytes.fill(0xab) // the device writes into the bounce copy only
console.log(`before unmap the caller sees ${buf[0]}, after unmap ...`)
m.unmap()
console.log(`... ${buf[0]}`)

// tryMap is the non-blocking decision, synchronously: a Mapping, or undefined when full.
const held = []
for (;;) {
  const t = dma.tryMap(new Uint8Array(256 * 1024))
  if (t === undefined) break
  held.push(t)
}
console.log(`tryMap filled the pool with ${held.length} mappings of 256 KiB, then returned undefined`)

// A non-blocking map on a full pool rejects at once with the kernel's message.
await dma.map(new Uint8Array(2048)).catch((e: unknown) => {
  if (e instanceof SwiotlbFullError) console.log(`${e.code}: ${e.message}`)
})

for (const t of held) t.unmap()
const s = dma.stats()
console.log(`used ${s.used} of ${s.nslabs} slots, hiwater ${s.hiwater}, failures ${s.failures}`)

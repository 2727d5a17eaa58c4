import { type BenchCase, result } from '../case.js'
import { compare, rawRows, spreadOf } from '../harness.js'
import { lib } from '../lib.js'

const SIZE = 64 * 1024
const REGION = 64 * 1024 * 1024

/**
 * A bounced 64 KiB tryMap + unmap ('bidirectional': copy in at map, copy back at unmap) against the two
 * raw copies it cannot avoid, made with Uint8Array.set into a 64 MiB region at the same rotating
 * offsets the pool's search cursor visits, so both sides move the same bytes through the same cache.
 */
export const bounce: BenchCase = {
  id: 'bounce',
  async run(options) {
    const batch = 100
    const dma = new lib.Swiotlb({ size: REGION })
    const buf = new Uint8Array(SIZE)
    for (let i = 0; i < SIZE; i++) buf[i] = (i * 31) & 0xff
    const region = new Uint8Array(REGION)
    let offset = 0
    const [d, r] = await compare(
      [
        {
          name: "dma-throttle tryMap(64 KiB) + unmap, 'bidirectional'",
          batch,
          fn: () => {
            for (let i = 0; i < batch; i++) dma.tryMap(buf)!.unmap()
          },
        },
        {
          name: 'two raw 64 KiB copies (Uint8Array.set)',
          batch,
          fn: () => {
            for (let i = 0; i < batch; i++) {
              region.set(buf, offset)
              buf.set(region.subarray(offset, offset + SIZE))
              offset = (offset + SIZE) & (REGION - 1)
            }
          },
        },
      ],
      options,
    )
    return result({
      id: this.id,
      title: "bounced 64 KiB tryMap + unmap ('bidirectional', backing: true) vs two raw 64 KiB copies",
      metric: 'raw copies ns/op ÷ dma-throttle ns/op',
      unit: '×',
      target: { kind: 'min', value: 0.5 },
      value: r!.nsPerOp / d!.nsPerOp,
      spread: spreadOf(r!, d!),
      raw: [
        ...rawRows([d!, r!]),
        {
          label: 'dma-throttle bounce rate (2 × 64 KiB per op)',
          value: (2 * SIZE) / d!.nsPerOp,
          unit: 'GB/s',
        },
      ],
      notes: ['64 MiB pool with backing memory, one area'],
    })
  },
}

import { type BenchCase, result } from '../case.js'
import { compare, rawRows, spreadOf } from '../harness.js'
import { lib } from '../lib.js'

/**
 * tryMap(4096) + unmap in a 4 GiB pool against a 64 MiB one (accounting only). The cost must not grow
 * with the pool: the search starts at the area's rotating index and the free-run counter answers at once,
 * and the rotating index walks the whole 2 Mi-slot list of the big pool over the run (cold cache lines
 * included).
 */
export const poolSize: BenchCase = {
  id: 'pool-size',
  async run(options) {
    const batch = 1000
    const small = new lib.Swiotlb({ size: '64M', backing: false })
    const big = new lib.Swiotlb({ size: '4G', backing: false })
    const loop = (dma: InstanceType<typeof lib.Swiotlb>) => () => {
      for (let i = 0; i < batch; i++) dma.tryMap(4096)!.unmap()
    }
    const [s, b] = await compare(
      [
        { name: 'tryMap(4096) + unmap, 64 MiB pool', batch, fn: loop(small) },
        { name: 'tryMap(4096) + unmap, 4 GiB pool', batch, fn: loop(big) },
      ],
      options,
    )
    return result({
      id: this.id,
      title: 'tryMap(4096) + unmap at 4 GiB vs 64 MiB (backing: false)',
      metric: 'ops/s at 4 GiB ÷ ops/s at 64 MiB',
      unit: '×',
      target: { kind: 'min', value: 0.8 },
      value: s!.nsPerOp / b!.nsPerOp,
      spread: spreadOf(s!, b!),
      raw: [
        ...rawRows([s!, b!]),
        { label: '4 KiB tryMap + unmap per second, 64 MiB pool', value: 1e9 / s!.nsPerOp, unit: 'ops/s' },
        { label: '4 KiB tryMap + unmap per second, 4 GiB pool', value: 1e9 / b!.nsPerOp, unit: 'ops/s' },
      ],
      notes: ['one area; 4096-byte requests are page aligned (2 slots)'],
    })
  },
}

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { type BenchCase, result } from '../case.js'
import { fmt, median } from '../harness.js'
import { lib } from '../lib.js'

type Mapping = InstanceType<typeof lib.Mapping>

/** A full GC: `--expose-gc` when given (npm run bench passes it), else switched on at run time. */
function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed !== undefined) return exposed
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/** Heap and off-heap (ArrayBuffer) bytes in use after a full GC. */
function bytesInUse(gc: () => void): number {
  gc()
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

const NSLABS_4G = (4 * 1024 ** 3) / 2048
const LIVE = 20_000

/** Bytes per slot of a fresh 4 GiB pool. A plain function, so nothing of it outlives the call. */
function perSlotOnce(gc: () => void): number {
  const before = bytesInUse(gc)
  const big = new lib.Swiotlb({ size: '4G', backing: false })
  const after = bytesInUse(gc)
  // Read the pool after the measurement so that it is alive during it.
  if (big.stats().nslabs !== NSLABS_4G) throw new Error('memory: the 4 GiB pool has the wrong size')
  return (after - before) / NSLABS_4G
}

/** Bytes per live mapping: LIVE one-slot mappings held at once in a 64 MiB pool. */
function perMappingOnce(gc: () => void): number {
  const small = new lib.Swiotlb({ size: '64M', backing: false })
  const live = new Array<Mapping>(LIVE)
  const before = bytesInUse(gc)
  for (let i = 0; i < LIVE; i++) live[i] = small.tryMap(2048)!
  const after = bytesInUse(gc)
  for (const m of live) m.unmap()
  return (after - before) / LIVE
}

/**
 * Metadata bytes per slot: the growth of heap + ArrayBuffer memory when a 4 GiB accounting-only pool
 * (2 Mi slots) is made, divided by its slots; and, reported apart, the bytes each live mapping costs
 * (the Mapping object and its entry in the pool's live table).
 */
export const memory: BenchCase = {
  id: 'memory',
  async run(options) {
    const gc = gcFunction()
    const perSlot: number[] = []
    const perMapping: number[] = []
    for (let round = 0; round < Math.max(3, Math.min(options.rounds, 5)); round++) {
      perSlot.push(perSlotOnce(gc))
      perMapping.push(perMappingOnce(gc))
    }
    const slot = median(perSlot)
    return result({
      id: this.id,
      title: 'memory: metadata bytes per slot (the kernel uses 24)',
      metric: 'heap + ArrayBuffer bytes of a 4 GiB pool ÷ its slots',
      unit: 'B/slot',
      target: { kind: 'max', value: 8 },
      value: slot,
      raw: [
        { label: 'bytes per slot, 4 GiB pool (2 Mi slots), backing: false', value: slot, unit: 'B/slot' },
        {
          label: "bytes per live mapping (the Mapping and its entry in the pool's live table)",
          value: median(perMapping),
          unit: 'B/mapping',
        },
      ],
      notes: [
        `process.memoryUsage() heapUsed + external after two full GCs, median of ${perSlot.length} rounds; per slot: ${perSlot.map(fmt).join(', ')}`,
        `live mappings measured with ${LIVE.toLocaleString('en-US')} 2048-byte mappings held at once in a 64 MiB pool (the array holding them is allocated before the first reading)`,
      ],
    })
  },
}

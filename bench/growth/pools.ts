import { type BenchCase, type CaseResult, result } from '../case.js'
import { compare, cpuNow, fmt, rawRows, spreadOf } from '../harness.js'
import { lib } from '../lib.js'

type Swiotlb = InstanceType<typeof lib.Swiotlb>
const CHUNK = 256 * 1024
const COUNTS = [1, 100, 1000] as const
const BATCH = 128 // one-slot mappings: exactly the 128 slots of the last pool

/**
 * A Swiotlb with a 256 KiB default pool and `n` dynamic pools of 256 KiB, made the way a driver would:
 * background growth at 100 % usage on a VirtualClock, each pool filled by one whole-segment mapping until
 * `n` exist; the last dynamic pool stays empty, so every later mapping lands in it.
 */
async function withDynamicPools(n: number): Promise<Swiotlb> {
  const clock = new lib.VirtualClock()
  const dma = new lib.Swiotlb({
    size: CHUNK,
    backing: false,
    clock,
    throttle: false,
    growth: { chunkBytes: CHUNK, maxBytes: (n + 1) * CHUNK, background: { atUsage: 1 } },
  })
  while (dma.stats().pools < n + 1) {
    if (dma.tryMap(CHUNK) === undefined) throw new Error(`pools: could not fill pool ${dma.stats().pools}`)
    await clock.runAll() // the background grow completes
  }
  return dma
}

/** Untimed: map BATCH mappings in the last pool; timed: unmap each by its bus address. */
function unmapByAddress(
  dma: Swiotlb,
  now: () => number,
): () => { overriddenDuration: number; overriddenIterationCost: number } {
  const addrs = new Float64Array(BATCH)
  return () => {
    const start = now()
    for (let i = 0; i < BATCH; i++) addrs[i] = dma.tryMap(2048)!.addr
    const t0 = now()
    for (let i = 0; i < BATCH; i++) dma.unmap(addrs[i]!)
    const t1 = now()
    return { overriddenDuration: t1 - t0, overriddenIterationCost: t1 - start }
  }
}

function mapThenUnmapByAddress(dma: Swiotlb): () => void {
  return () => {
    for (let i = 0; i < BATCH; i++) dma.unmap(dma.tryMap(2048)!.addr)
  }
}

/** unmap(addr) with 1, 100 and 1,000 dynamic pools: the address → pool lookup is a binary search. */
export const pools: BenchCase = {
  id: 'pools',
  alsoReports: ['pools-map'],
  async run(options): Promise<CaseResult[]> {
    const now = options.clock === 'cpu' ? cpuNow : () => performance.now()
    const pools: Swiotlb[] = []
    for (const n of COUNTS) pools.push(await withDynamicPools(n))
    const unmaps = await compare(
      COUNTS.map((n, i) => ({
        name: `unmap(addr), ${n} dynamic pool${n === 1 ? '' : 's'}`,
        batch: BATCH,
        fn: unmapByAddress(pools[i]!, now),
      })),
      options,
    )
    const maps = await compare(
      COUNTS.map((n, i) => ({
        name:
          n === 1
            ? 'tryMap + unmap(addr) in the one dynamic pool'
            : `tryMap + unmap(addr) in the last of ${n} dynamic pools`,
        batch: BATCH,
        fn: mapThenUnmapByAddress(pools[i]!),
      })),
      options,
    )
    // The address lookup alone, with the last-found pool missing on every call: alternate between an
    // address of the default pool and one of the last dynamic pool.
    const lookups = await compare(
      COUNTS.map((n, i) => {
        const dma = pools[i]!
        const last = dma.stats().poolList.at(-1)!.addr
        const first = dma.stats().poolList[0]!.addr
        return {
          name: `isSwiotlbBuffer(addr) alternating first and last pool, ${n} dynamic pool${n === 1 ? '' : 's'}`,
          batch: BATCH,
          fn: () => {
            let hits = 0
            for (let i = 0; i < BATCH; i++) if (dma.isSwiotlbBuffer(i & 1 ? last : first)) hits++
            if (hits !== BATCH) throw new Error('pools: lookup missed a pool')
          },
        }
      }),
      options,
    )
    const one = unmaps[0]!.nsPerOp
    const oneMap = maps[0]!.nsPerOp
    const raw = rawRows([...unmaps, ...maps, ...lookups])
    const setup =
      'pools are 256 KiB (128 slots, one area), made by background growth at 100 % usage on a VirtualClock; all but the last are full'
    return [
      result({
        id: this.id,
        title: 'unmap by address with 1,000 dynamic pools vs 1',
        metric: 'ns/op with 1 pool ÷ ns/op with 1,000 pools',
        unit: '×',
        target: { kind: 'min', value: 0.67 },
        value: one / unmaps[2]!.nsPerOp,
        spread: spreadOf(unmaps[0]!, unmaps[2]!),
        raw,
        notes: [
          `unmap(addr) ratio for 100 pools: ${fmt(one / unmaps[1]!.nsPerOp)}`,
          `the timed unmaps all fall in one pool, which the lookup's last-found pool answers at once; a lookup that misses it does a binary search over the pools: ${fmt(lookups[0]!.nsPerOp)} ns with 1 pool, ${fmt(lookups[2]!.nsPerOp)} ns with 1,000 (ratio ${fmt(lookups[0]!.nsPerOp / lookups[2]!.nsPerOp)})`,
          `${setup}; the timed unmaps run on mappings made untimed in the last pool`,
        ],
      }),
      result({
        id: 'pools-map',
        title: 'tryMap + unmap in the last of 1,000 dynamic pools vs 1',
        metric: 'ns/op with 1 pool ÷ ns/op with 1,000 pools',
        unit: '×',
        target: { kind: 'min', value: 0.5 },
        value: oneMap / maps[2]!.nsPerOp,
        spread: spreadOf(maps[0]!, maps[2]!),
        raw: rawRows(maps),
        notes: [
          `ratio for 100 pools: ${fmt(oneMap / maps[1]!.nsPerOp)}`,
          'the search no longer walks every full pool: a per-pool index of the longest free run (src/allocator/pool-index.ts, a tree of pool run bounds) skips the full pools in O(log pools), as the per-segment bound skips full segments inside a pool',
          `${setup}; each op maps one slot, which lands in the last pool, and unmaps it by address`,
        ],
      }),
    ]
  },
}

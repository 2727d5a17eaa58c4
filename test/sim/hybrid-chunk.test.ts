import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Swiotlb, type SwiotlbEvent, VirtualClock } from '../../src/index.js'
import {
  DEFAULT_TUNING,
  growChunkBytes,
  POLICIES,
  parseSpec,
  policyOptions,
  runPolicy,
} from '../../src/sim/index.js'

const KIB = 1024
const MIB = 1024 * KIB
const SEGMENT = 256 * KIB

/** A Swiotlb with `policy`'s options for `pool`, its growth events logged as `type:bytes@time`. */
function under(policy: 'hybrid' | 'dynamic', size: number, tuning = DEFAULT_TUNING) {
  const clock = new VirtualClock()
  const dma = new Swiotlb(policyOptions(policy, { size, areas: 1 }, tuning, clock))
  const log: string[] = []
  dma.events$.subscribe((e: SwiotlbEvent) => {
    if (e.type.startsWith('grow') || e.type === 'admit')
      log.push(`${e.type}${'bytes' in e ? `:${e.bytes}` : ''}@${e.at}`)
  })
  return { clock, dma, log }
}

/** A 2 MiB pool's blocking budget is 0.7 × 1024 slots = 716: eleven 128 KiB maps fit, the twelfth waits. */
async function overBudget(dma: Swiotlb) {
  for (let i = 0; i < 11; i++) await dma.map(128 * KIB, true)
  return dma.map(128 * KIB, true)
}

describe("'hybrid' grows a pool below 4 MiB by the kernel's dynamic pool size", () => {
  it('a 2 MiB pool grows one 2 MiB chunk once the head has waited waitMs', async () => {
    // kernel/dma/swiotlb.c: swiotlb_dyn_alloc asks swiotlb_alloc_pool for default_nslabs (the default
    // pool's size), capped at MAX_PAGE_ORDER pages. With 4 MiB chunks and maxBytes = 2 × 2 MiB, no
    // chunk ever fitted and the waiter waited for good.
    const { clock, dma, log } = under('hybrid', 2 * MIB)
    const waiter = overBudget(dma)
    await clock.advanceBy(4.999)
    expect(log).toEqual([])
    // The default cost: 1 ms + 0.25 ms per MiB, 1.5 ms for 2 MiB.
    await clock.advanceBy(0.001)
    expect(log).toEqual([`grow-start:${2 * MIB}@5`])
    await clock.advanceBy(1.5)
    expect(log).toEqual([`grow-start:${2 * MIB}@5`, `grow:${2 * MIB}@6.5`, 'admit@6.5'])
    expect((await waiter).waitedMs).toBe(6.5)
    expect(dma.stats()).toMatchObject({ nslabs: 2048, pools: 2, growth: { grows: 1, bytesGrown: 2 * MIB } })
  })

  it('in a run on a slow drive: one grow of the pool size, up to maxBytes (2 × 2 MiB)', async () => {
    const spec = parseSpec({
      name: 'small',
      cpus: 4,
      pool: '2M',
      runtime: '40ms',
      // A slow drive: a map waits ~12 ms for a completion, past waitMs (5 ms).
      devices: [{ name: 'nvme0', type: 'nvme', bandwidth: '20M' }],
      jobs: [{ name: 'j', rw: 'randread', bs: '64k', iodepth: 12, numjobs: 4 }],
      policies: ['hybrid'],
    })
    expect(spec.tuning.chunkBytes).toBeUndefined()
    const { result } = await runPolicy(spec, 'hybrid', 1)
    expect(result.growth.grows).toBe(1)
    expect(result.poolBytes).toEqual({ initial: 2 * MIB, grown: 2 * MIB, peak: 4 * MIB })
    // The grown pool has min(4 areas, 1024 slots / 128) = 4 areas, as the kernel's limit_nareas.
    expect(result.pools).toMatchObject({ count: 2, areas: 8 })
    expect(result.ioErrors).toBe(0)
  })

  it('takes the same chunk as dynamic: min(4 MiB, the pool rounded up to a segment)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 * MIB }), (size) => {
        const clock = new VirtualClock()
        const pool = { size, areas: 1 }
        const hybrid = policyOptions('hybrid', pool, DEFAULT_TUNING, clock).growth
        const dynamic = policyOptions('dynamic', pool, DEFAULT_TUNING, clock).growth
        const chunk = Math.min(4 * MIB, Math.ceil(size / SEGMENT) * SEGMENT)
        expect(hybrid).toMatchObject({ chunkBytes: chunk })
        expect(dynamic).toMatchObject({ chunkBytes: chunk })
      }),
    )
  })

  it('a pool that is not whole segments still builds: its chunk is the size the Swiotlb rounds it to', () => {
    // The kernel aligns default_nslabs up to IO_TLB_SEGSIZE (setup_io_tlb_npages), as the Swiotlb rounds
    // `size`; a chunk of the unrounded size was refused as growth.chunkBytes.
    for (const policy of ['hybrid', 'dynamic'] as const) {
      const { dma } = under(policy, 300 * KIB)
      expect(dma.stats().nslabs).toBe(256)
      expect(dma.options.growth).toMatchObject({ chunkBytes: 512 * KIB })
    }
  })

  it('a pool whose segments do not divide among its areas: chunk and limit follow the pool the Swiotlb builds', async () => {
    // The Swiotlb gives every area whole segments (options.ts), so 1.25 MiB in 4 areas is a 2 MiB pool,
    // and the kernel's worker asks for default_nslabs, the default pool as built. Sized from the
    // 1.25 MiB asked for, hybrid's limit (2.5 MiB) had no room for its chunk (1.25 MiB): no grow, ever.
    const pool = { size: 5 * SEGMENT, areas: 4 }
    const clock = new VirtualClock()
    const hybrid = new Swiotlb(policyOptions('hybrid', pool, DEFAULT_TUNING, clock))
    expect(hybrid.stats().nslabs * 2 * KIB).toBe(2 * MIB)
    expect(hybrid.options.growth).toMatchObject({ chunkBytes: 2 * MIB, maxBytes: 4 * MIB })
    expect(growChunkBytes('dynamic', pool, DEFAULT_TUNING)).toBe(2 * MIB)
    const waiter = overBudget(hybrid)
    await clock.advanceBy(6.5)
    expect((await waiter).waitedMs).toBe(6.5)
    expect(hybrid.stats()).toMatchObject({ nslabs: 2048, growth: { grows: 1, bytesGrown: 2 * MIB } })
    // Any size and areas: both policies' chunk is min(4 MiB, the built pool); hybrid's limit twice it.
    fc.assert(
      fc.property(fc.integer({ min: SEGMENT, max: 64 * MIB }), fc.nat(8), (size, log2) => {
        const areas = 2 ** Math.min(log2, Math.floor(Math.log2(Math.ceil(size / SEGMENT))))
        const built = new Swiotlb({ size, areas, backing: false }).stats().nslabs * 2 * KIB
        const p = { size, areas }
        const growth = policyOptions('hybrid', p, DEFAULT_TUNING, new VirtualClock()).growth
        expect(growth).toMatchObject({ chunkBytes: Math.min(4 * MIB, built), maxBytes: 2 * built })
        expect(growChunkBytes('dynamic', p, DEFAULT_TUNING)).toBe(Math.min(4 * MIB, built))
      }),
    )
  })

  it('a tuning.maxBytes between the size asked for and the pool built is raised to the pool, as any smaller limit is', async () => {
    // 1.25 MiB in 4 areas is 2 MiB: a 1.5 MiB limit was passed on as is and the run threw the
    // Swiotlb's RangeError for growth.maxBytes (below the pool) instead of running.
    const spec = parseSpec({
      name: 'odd',
      cpus: 16,
      pool: '1280K',
      runtime: '5ms',
      jobs: [{ name: 'j', rw: 'read' }],
      tuning: { maxBytes: '1536K' },
      policies: ['hybrid'],
    })
    expect(spec.pool).toEqual({ size: 5 * SEGMENT, areas: 4 })
    const { result } = await runPolicy(spec, 'hybrid', 1)
    expect(result.poolBytes).toEqual({ initial: 2 * MIB, grown: 0, peak: 2 * MIB })
  })

  it('honours an explicit tuning.chunkBytes, even one that cannot fit under maxBytes', async () => {
    const given = (chunkBytes: string) =>
      parseSpec({ name: 's', pool: '2M', jobs: [{ name: 'j', bs: '64k' }], tuning: { chunkBytes } }).tuning
    expect(given('1M').chunkBytes).toBe(MIB)
    // Given or not is the spec's own distinction: a bad value is refused, never read as "not given".
    for (const bad of ['300K', '128K', 0, null, 'big'])
      expect(() => given(bad as string)).toThrow(
        expect.objectContaining({ code: 'ERR_SIM_SPEC', field: 'tuning.chunkBytes' }),
      )
    const one = under('hybrid', 2 * MIB, given('1M'))
    const waiter = overBudget(one.dma)
    await one.clock.advanceBy(10)
    expect(one.log).toEqual([`grow-start:${MIB}@5`, `grow:${MIB}@6.25`, 'admit@6.25'])
    expect((await waiter).waitedMs).toBe(6.25)
    // 4 MiB, given: the user asked for it, and 2 MiB + 4 MiB is over maxBytes (4 MiB): no grow.
    const four = under('hybrid', 2 * MIB, given('4M'))
    void overBudget(four.dma)
    await four.clock.advanceBy(100)
    expect(four.log).toEqual([])
    expect(four.dma.stats().throttle.waiting).toBe(1)
    // dynamic follows the kernel whatever the tuning says.
    expect(
      policyOptions('dynamic', { size: 2 * MIB, areas: 1 }, given('1M'), new VirtualClock()).growth,
    ).toMatchObject({ chunkBytes: 2 * MIB })
  })

  it('growChunkBytes: the chunk of every policy that grows, none for the others', () => {
    const tuning = { ...DEFAULT_TUNING, chunkBytes: 3 * SEGMENT }
    for (const size of [SEGMENT, 2 * MIB, 64 * MIB]) {
      const pool = { size, areas: 1 }
      for (const p of POLICIES) {
        const chunk = growChunkBytes(p.name, pool, DEFAULT_TUNING)
        expect(chunk === undefined).toBe(!p.grows)
        if (p.grows) expect(chunk).toBe(Math.min(4 * MIB, size))
      }
      expect(growChunkBytes('hybrid', pool, tuning)).toBe(3 * SEGMENT)
      expect(growChunkBytes('dynamic', pool, tuning)).toBe(Math.min(4 * MIB, size))
    }
  })
})

import { describe, expect, it } from 'vitest'
import { atomicPoolBytesFor, VirtualClock } from '../../src/index.js'
import { DEFAULT_TUNING, parseSpec, policyOptions, runPolicy } from '../../src/sim/index.js'

const KIB = 1024
const MIB = 1024 * KIB

/**
 * A 1 MiB pool that 4 clones × iodepth 8 × 64 KiB reads overrun, while the worker's grow takes 5 ms:
 * until it lands, every failed search needs a transient pool.
 */
const overrun = (extra: Record<string, unknown> = {}) =>
  parseSpec({
    name: 'overrun',
    cpus: 4,
    pool: '1M',
    runtime: '20ms',
    devices: [{ name: 'nvme0', type: 'nvme', bandwidth: '2G' }],
    jobs: [{ name: 'j', rw: 'randread', bs: '64k', iodepth: 8, numjobs: 4, continue_on_error: 'io' }],
    policies: ['dynamic'],
    ...extra,
    tuning: { growCost: { fixedMs: 5, perMiBMs: 0 }, ...(extra['tuning'] as object) },
  })

describe("'dynamic' as mainline does it", () => {
  it('takes its options from the kernel: worker on a failed search, newest pool first, atomic pools', () => {
    const o = policyOptions('dynamic', { size: 8 * MIB, areas: 4 }, DEFAULT_TUNING, new VirtualClock())
    expect(o.growth).toEqual({
      background: { onFailure: true },
      searchOrder: 'newest-first',
      transient: { atomicPoolBytes: 2 * MIB, atomicPools: 3 },
      chunkBytes: 4 * MIB,
      cost: { fixedMs: 1, perMiBMs: 0.25 },
    })
    // The worker's pool is the default pool's size, at most 4 MiB (MAX_PAGE_ORDER pages).
    const small = policyOptions('dynamic', { size: MIB, areas: 1 }, DEFAULT_TUNING, new VirtualClock())
    expect(small.growth).toMatchObject({ chunkBytes: MIB })
    // Found by review: swiotlb_dyn_alloc asks for default_nslabs, capped by swiotlb_alloc_pool; the
    // tuning's chunkBytes (hybrid's grow) is no say of mainline's.
    for (const chunkBytes of [MIB, 8 * MIB]) {
      const o2 = policyOptions(
        'dynamic',
        { size: 64 * MIB, areas: 16 },
        { ...DEFAULT_TUNING, chunkBytes },
        new VirtualClock(),
      )
      expect(o2.growth).toMatchObject({ chunkBytes: 4 * MIB })
    }
  })

  it("sizes the atomic pools by the kernel's rule for the VM's memory", () => {
    expect(atomicPoolBytesFor(16 * 1024 * MIB)).toBe(2 * MIB)
    expect(atomicPoolBytesFor(512 * MIB)).toBe(128 * KIB)
    expect(atomicPoolBytesFor(1024 * 1024 * MIB)).toBe(4 * MIB)
    expect(overrun({ memory: '1G' }).tuning.atomicPoolBytes).toBe(128 * KIB)
    expect(overrun({ memory: '1G', tuning: { atomicPoolBytes: '1M' } }).tuning.atomicPoolBytes).toBe(MIB)
  })

  it('fails an I/O once the atomic pools are spent; with enough of them, none', async () => {
    // 1 GiB of memory: 3 atomic pools of 128 KiB, six 64 KiB transient pools at most.
    const small = (await runPolicy(overrun({ memory: '1G' }), 'dynamic', 1)).result
    expect(small.ioErrors).toBeGreaterThan(0)
    expect(small.growth.grows).toBeGreaterThan(0)
    const large = (await runPolicy(overrun({ memory: '1T' }), 'dynamic', 1)).result
    expect(large.ioErrors).toBe(0)
    // Not a CoCo VM: transient pools come from the page allocator, without a limit modelled.
    const pages = (
      await runPolicy(overrun({ memory: '1G', tuning: { transientFrom: 'pages' } }), 'dynamic', 1)
    ).result
    expect(pages.ioErrors).toBe(0)
  })

  it('counts transient pools in the exact high-water mark, as debugfs does', async () => {
    const { result } = await runPolicy(overrun({ memory: '1T' }), 'dynamic', 1)
    expect(result.growth.transients).toBeGreaterThan(0)
    // Before the first grow lands, the pool is full and transient pools hold more on top.
    expect(result.hiwater.exact).toBeGreaterThan(MIB)
    expect(result.hiwater.exact).toBeLessThanOrEqual(result.poolBytes.peak)
  })
})

describe('the dynamic tuning in a spec', () => {
  it('rejects bad values by field', () => {
    expect(() => overrun({ tuning: { transientFrom: 'heap' } })).toThrow(
      "Expected `tuning.transientFrom` to be 'atomic' or 'pages', got \"heap\"",
    )
    expect(() => overrun({ tuning: { atomicPoolBytes: 5000 } })).toThrow('tuning.atomicPoolBytes')
    expect(() => overrun({ memory: '1M' })).toThrow('memory')
  })
})

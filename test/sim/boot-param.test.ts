import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  bootParameter,
  confidenceLine,
  exactUpperBound95,
  kernelPool,
  ruleOfThree,
} from '../../src/sim/index.js'
import { params } from '../helpers/fc-params.js'

const MIB = 1024 * 1024

describe('kernelPool: swiotlb= as kernel/dma/swiotlb.c rounds it', () => {
  it('aligns to a segment, then rounds up to a power of two once areas are set', () => {
    // setup_io_tlb_npages: ALIGN(27000, 128) = 27008; round_up_default_nslabs: → 32768.
    expect(kernelPool(27000, undefined, 16)).toEqual({ nslabs: 32768, nareas: 16, bytes: 64 * MIB })
    expect(kernelPool(32768, undefined, 16)).toEqual({ nslabs: 32768, nareas: 16, bytes: 64 * MIB })
    // Fewer slots than one segment per area: one segment per area (16 × 128).
    expect(kernelPool(100, undefined, 16)).toEqual({ nslabs: 2048, nareas: 16, bytes: 4 * MIB })
    // Areas are rounded up to a power of two: 12 CPUs → 16 areas.
    expect(kernelPool(1000, undefined, 12)).toEqual({ nslabs: 2048, nareas: 16, bytes: 4 * MIB })
    expect(kernelPool(384, 2, 16)).toEqual({ nslabs: 512, nareas: 2, bytes: 1 * MIB })
  })

  it('property: whole segments per area, a power of two, never below the request', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 24 }), fc.integer({ min: 1, max: 512 }), (slabs, cpus) => {
        const k = kernelPool(slabs, undefined, cpus)
        expect(k.nslabs).toBeGreaterThanOrEqual(slabs)
        expect(k.nslabs & (k.nslabs - 1)).toBe(0)
        expect((k.nslabs / k.nareas) % 128).toBe(0)
        expect(k.nslabs).toBeLessThan(Math.max(2 * slabs + 256, 128 * k.nareas * 2))
      }),
      params(300),
    )
  })

  it('bootParameter: the value the kernel really boots with, areas only when not its own', () => {
    expect(bootParameter(3 * MIB, 4, 4)).toEqual({
      parameter: 'swiotlb=2048',
      pool: { nslabs: 2048, nareas: 4, bytes: 4 * MIB },
      note: undefined,
    })
    expect(bootParameter(512 * 1024, 2, 16).parameter).toBe('swiotlb=256,2')
  })

  // Found by review: `swiotlb=32768` is IO_TLB_DEFAULT_SIZE in slots, which swiotlb_adjust_size (called
  // by an x86 CoCo guest before the pool is allocated) reads as "no swiotlb= given" and replaces with
  // 6 % of memory. A 64 MiB pool is asked for as a count that is rounded up to 32768 only after that.
  it('never writes a count the kernel reads as its default, which a CoCo guest replaces', () => {
    expect(bootParameter(56 * MIB, 16, 16)).toMatchObject({
      parameter: 'swiotlb=28672',
      pool: { nslabs: 32768, nareas: 16, bytes: 64 * MIB },
    })
    expect(bootParameter(64 * MIB, 16, 16).parameter).toBe('swiotlb=32640')
    expect(bootParameter(56 * MIB, 16, 16).note).toMatch(
      /rounds 28672 slots up to a power of two; swiotlb=32768 itself reads as none given/,
    )
    // With areas the kernel rounds as it parses, before the check: 64 MiB cannot be asked for.
    expect(bootParameter(64 * MIB, 8, 16)).toMatchObject({
      parameter: 'swiotlb=65536,8',
      pool: { nslabs: 65536, nareas: 8, bytes: 128 * MIB },
    })
  })

  it('property: a CoCo guest boots what bootParameter says, at least the size asked for', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.constantFrom(1, 2, 4, 8, 16, 32, 64, 256),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 64 }).map((gib) => gib * 1024 * MIB),
        (bytes, areas, cpus, memory) => {
          const { parameter, pool } = bootParameter(bytes, areas, cpus)
          expect(cocoBoot(parameter, cpus, memory)).toEqual(pool.nslabs)
          expect(pool.bytes).toBeGreaterThanOrEqual(bytes)
        },
      ),
      params(500),
    )
  })
})

/**
 * The boot pool's slot count on an x86 CoCo guest with `memory` bytes, for a `swiotlb=` parameter,
 * written from kernel/dma/swiotlb.c and arch/x86/mm/mem_encrypt.c in boot order: setup_io_tlb_npages
 * (early_param: ALIGN to IO_TLB_SEGSIZE; areas given: swiotlb_adjust_nareas rounds them and
 * round_up_default_nslabs runs), mem_encrypt_setup_arch (swiotlb_adjust_size of 6 % of memory,
 * clamped to [IO_TLB_DEFAULT_SIZE, 1 GiB], which returns at once unless default_nslabs is still
 * IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT), then swiotlb_init_remap (no areas yet: swiotlb_adjust_nareas
 * of num_possible_cpus()).
 */
function cocoBoot(parameter: string, cpus: number, memory: number): number {
  const SEGSIZE = 128
  const DEFAULT = (64 * MIB) / 2048
  const align = (n: number) => Math.ceil(n / SEGSIZE) * SEGSIZE
  const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(n))
  let nslabs = DEFAULT
  let nareas = 0
  const roundUp = (): void => {
    if (nareas === 0) return
    if (nslabs < SEGSIZE * nareas) nslabs = pow2(SEGSIZE * nareas)
    else if ((nslabs & (nslabs - 1)) !== 0) nslabs = pow2(nslabs)
  }
  const adjustNareas = (n: number): void => {
    nareas = n === 0 ? 1 : pow2(n)
    roundUp()
  }
  const [slabs, areas] = parameter.replace('swiotlb=', '').split(',')
  nslabs = align(Number(slabs))
  if (areas !== undefined) adjustNareas(Number(areas))
  if (nslabs === DEFAULT) {
    const size = Math.min(Math.max(Math.floor((memory * 6) / 100), 64 * MIB), 1024 * MIB)
    nslabs = align(Math.ceil(size / 2048))
    roundUp()
  }
  if (nareas === 0) adjustNareas(cpus)
  return nslabs
}

describe('confidence: 0 failures in n runs', () => {
  it('says it in those words, with 3/n worked out', () => {
    expect(confidenceLine(0, 20)).toBe(
      '0 failures in 20 runs: the failure probability per run is below 3/20 = 15 % at 95 % confidence',
    )
    expect(confidenceLine(0, 300)).toBe(
      '0 failures in 300 runs: the failure probability per run is below 3/300 = 1 % at 95 % confidence',
    )
    expect(confidenceLine(0, 40)).toContain('below 3/40 = 7.5 % at 95 % confidence')
    expect(confidenceLine(0, 3)).toBe(
      '0 failures in 3 runs: too few runs to bound the failure probability (3/n ≥ 1)',
    )
    expect(confidenceLine(2, 20)).toBe('2 failures in 20 runs: not a healthy size')
    expect(() => confidenceLine(0, 0)).toThrow('Expected `runs` to be a whole number from 1, got 0')
  })

  it('the rule of three lies above the exact 95 % bound, 1 − 0.05^(1/n)', () => {
    expect(exactUpperBound95(20)).toBeCloseTo(0.1391, 4)
    expect(ruleOfThree(20)).toBe(0.15)
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 1_000_000 }), (n) => {
        const exact = exactUpperBound95(n)
        expect(ruleOfThree(n)).toBeGreaterThan(exact)
        expect((1 - exact) ** n).toBeCloseTo(0.05, 9)
        // A failure probability of 3/n would show 0 failures in n runs less than 5 % of the time.
        expect((1 - ruleOfThree(n)) ** n).toBeLessThan(0.05)
      }),
      params(300),
    )
  })
})

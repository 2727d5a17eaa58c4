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
    expect(bootParameter(56 * MIB, 16, 16)).toEqual({
      parameter: 'swiotlb=32768',
      pool: { nslabs: 32768, nareas: 16, bytes: 64 * MIB },
    })
    expect(bootParameter(512 * 1024, 2, 16).parameter).toBe('swiotlb=256,2')
    expect(bootParameter(64 * MIB, 8, 16).parameter).toBe('swiotlb=32768,8')
  })
})

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

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PoolGrid, searchSmallest } from '../../src/sim/index.js'
import { params } from '../helpers/fc-params.js'

const SEG = 256 * 1024
const MIB = 1024 * 1024

/** A pass matrix as the evaluator: `pass(segments, seed)` per candidate of a one-area grid. */
function oracle(grid: PoolGrid, pass: (segments: number, seed: number) => boolean, seeds: number) {
  const asked: number[] = []
  const evaluate = async (indices: readonly number[]) => {
    asked.push(...indices)
    return indices.map((i) => Array.from({ length: seeds }, (_, s) => pass(grid.at(i).bytes / SEG, s)))
  }
  return { evaluate, asked }
}

/** The old `size`: one seed, double from `start` until healthy, then bisect the gap (in grid units). */
async function bisect(healthyAt: (segments: number) => boolean, start: number): Promise<number> {
  let hi = start
  while (!healthyAt(hi)) hi *= 2
  let lo = 0
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (healthyAt(mid)) hi = mid
    else lo = mid
  }
  return hi
}

describe('PoolGrid: whole segments per area, as the kernel lays a pool out', () => {
  it('steps by one segment per area, with 1, 2, 4 … segments below that', () => {
    const grid = new PoolGrid(16, 64 * MIB)
    const sizes = Array.from({ length: 8 }, (_, i) => grid.at(i))
    expect(sizes).toEqual([
      { bytes: 256 * 1024, areas: 1 },
      { bytes: 512 * 1024, areas: 2 },
      { bytes: 1 * MIB, areas: 4 },
      { bytes: 2 * MIB, areas: 8 },
      { bytes: 4 * MIB, areas: 16 },
      { bytes: 8 * MIB, areas: 16 },
      { bytes: 12 * MIB, areas: 16 },
      { bytes: 16 * MIB, areas: 16 },
    ])
    expect(grid.length).toBe(4 + 16)
    expect(grid.at(grid.length - 1)).toEqual({ bytes: 64 * MIB, areas: 16 })
    expect(grid.coarse().map((i) => grid.at(i).bytes / MIB)).toEqual([0.25, 0.5, 1, 2, 4, 8, 16, 32, 64])
    expect(grid.indexAtLeast(13 * MIB)).toBe(7)
    expect(grid.indexAtLeast(3 * MIB)).toBe(4)
    expect(() => grid.at(20)).toThrow('Expected a candidate index in [0, 19], got 20')
    expect(() => new PoolGrid(12, 64 * MIB)).toThrow('Expected `areas` to be a power of two, got 12')
  })
})

describe('searchSmallest: no monotonicity assumed', () => {
  it('a hand-built non-monotonic case: bisection answers a healthy island, the search the first stable size', async () => {
    // Healthy at 4 segments, failing at 5 and 6, healthy from 7 on (one seed). The kernel rounds up:
    // an operator given "4" can end up at 5 or 6, which fail.
    const healthyAt = (segments: number) => segments === 4 || segments >= 7
    expect(await bisect(healthyAt, 8)).toBe(4)
    const grid = new PoolGrid(1, 32 * SEG)
    const { evaluate, asked } = oracle(grid, (segments) => healthyAt(segments), 1)
    const found = await searchSmallest(grid, evaluate)
    expect(grid.at(found.answer!).bytes / SEG).toBe(7)
    // Coarse 1, 2, 4 (passes); refinement 3; verification 5 (fails), then 6, 7, 8, 9.
    expect(asked.map((i) => i + 1)).toEqual([1, 2, 4, 3, 5, 6, 7, 8, 9])
  })

  it('many seeds: one seed healthy where another fails is not an answer', async () => {
    // Seed 0 needs 5 segments; seed 1 is healthy at 3 and 4, fails at 5 and 6, healthy from 7 (the
    // coco-fio seed 3 pattern: healthy at 53 MiB, failing at 54, healthy at 55).
    const pass = (segments: number, seed: number) =>
      seed === 0 ? segments >= 5 : segments === 3 || segments === 4 || segments >= 7
    const grid = new PoolGrid(1, 32 * SEG)
    expect(await bisect((s) => pass(s, 0), 8)).toBe(5)
    expect(await bisect((s) => pass(s, 1), 8)).toBe(3)
    const found = await searchSmallest(grid, oracle(grid, pass, 2).evaluate)
    expect(grid.at(found.answer!).bytes / SEG).toBe(7)
    expect([...found.tried.keys()].sort((a, b) => a - b).map((i) => i + 1)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ])
  })

  it('at the top of the grid: the answer says how many sizes above it were checked (none at the limit)', async () => {
    // Healthy only from 8 segments, on a grid that ends at 8, 9 or 10 segments.
    for (const [segments, above] of [
      [8, 0],
      [9, 1],
      [10, 2],
      [11, 2],
    ] as const) {
      const grid = new PoolGrid(1, segments * SEG)
      const found = await searchSmallest(grid, oracle(grid, (s) => s >= 8, 1).evaluate)
      expect(grid.at(found.answer!).bytes / SEG).toBe(8)
      expect(found.above).toBe(above)
    }
    const grid = new PoolGrid(1, 8 * SEG)
    expect((await searchSmallest(grid, oracle(grid, () => false, 1).evaluate)).above).toBe(0)
  })

  it('a limit that is not a power of two: the coarse scan ends at the limit, not below it', async () => {
    // Healthy from 10 segments on a grid of 1 … 12: the powers of two (1, 2, 4, 8) all fail, and an
    // answer exists up to the limit. The scan stopped at 8 and answered "none up to 3 MiB".
    const grid = new PoolGrid(1, 12 * SEG)
    expect(grid.coarse().map((i) => grid.at(i).bytes / SEG)).toEqual([1, 2, 4, 8, 12])
    const found = await searchSmallest(grid, oracle(grid, (s) => s >= 10, 1).evaluate)
    expect(grid.at(found.answer!).bytes / SEG).toBe(10)
    expect(found.above).toBe(2)
    // 16 areas up to 100 MiB: 4 MiB steps, the last one 100 MiB.
    const wide = new PoolGrid(16, 100 * MIB)
    expect(wide.coarse().map((i) => wide.at(i).bytes / MIB)).toEqual([0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 100])
  })

  it('answers null when nothing up to the limit passes in every seed', async () => {
    const grid = new PoolGrid(4, 8 * MIB)
    const found = await searchSmallest(grid, oracle(grid, (_, seed) => seed === 0, 2).evaluate)
    expect(found.answer).toBeNull()
  })

  it('property: the answer is the smallest stable size from the window on (brute force)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), { minLength: 24, maxLength: 24 }),
        fc.integer({ min: 0, max: 3 }),
        async (seeds, matrix, verifyAbove) => {
          const grid = new PoolGrid(1, 24 * SEG)
          const pass = (segments: number, seed: number) => matrix[segments - 1]![seed]!
          const found = await searchSmallest(grid, oracle(grid, pass, seeds).evaluate, { verifyAbove })
          const verdicts = (i: number) => Array.from({ length: seeds }, (_, s) => pass(i + 1, s))
          const all = (i: number) => verdicts(i).every(Boolean)
          const stable = (i: number) =>
            all(i) && Array.from({ length: verifyAbove }, (_, k) => i + 1 + k).every((j) => j >= 24 || all(j))
          // The definition, by brute force: coarse sizes are powers of two; the window starts after the
          // coarse size below the first coarse size where any seed passed.
          // Written out, not read from grid.coarse(): 1, 2, 4, 8, 16 segments, and the limit (24).
          const coarse = [0, 1, 3, 7, 15, 23]
          const firstAll = coarse.findIndex(all)
          const firstAny = coarse.findIndex((i) => verdicts(i).some(Boolean))
          const from = firstAny > 0 ? coarse[firstAny - 1]! + 1 : 0
          const expected =
            firstAll < 0 ? null : (Array.from({ length: 24 - from }, (_, k) => from + k).find(stable) ?? null)
          expect(found.answer).toBe(expected)
          for (const [i, v] of found.tried) expect(v).toEqual(verdicts(i))
          // What it says it checked above the answer is what the grid has there, each tried and passed.
          const above = expected === null ? 0 : Math.min(verifyAbove, 24 - 1 - expected)
          expect(found.above).toBe(above)
          for (let k = 1; k <= above; k++)
            expect(all(expected! + k) && found.tried.has(expected! + k)).toBe(true)
        },
      ),
      params(300),
    )
  })
})

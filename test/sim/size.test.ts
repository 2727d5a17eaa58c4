import { describe, expect, it } from 'vitest'
import { formatSize } from '../../src/cli/commands/size.js'
import { main } from '../../src/cli/main.js'
import {
  healthy,
  PoolGrid,
  parseSpec,
  runHiwater,
  runPolicy,
  type SimSpec,
  sizePool,
} from '../../src/sim/index.js'
import { memoryIo } from './cli-io.js'

const MIB = 1024 * 1024

const SMALL = {
  name: 'small',
  cpus: 4,
  pool: '2M',
  runtime: '40ms',
  jobs: [{ name: 'j', rw: 'randread', bs: '64k', iodepth: 12, numjobs: 4 }],
}
const small = (extra: Record<string, unknown> = {}): SimSpec => parseSpec({ ...SMALL, ...extra })

describe('sizePool: K seeds per size, the kernel’s sizes, a recommendation', () => {
  it('every seed is healthy at the answer; the answer is a grid size; fail gets swiotlb=', async () => {
    const spec = small({ policies: ['fail', 'throttle'] })
    const sized = await sizePool(spec, { seeds: 3, jobs: 1 })
    expect(sized.seeds).toEqual({ first: 1, count: 3 })
    const fail = sized.policies.fail!
    expect(fail.minPoolBytes).toBe(3 * MIB) // 4 × 12 × 64 KiB in flight = 3 MiB, in 1 MiB steps (4 areas)
    expect(fail.areas).toBe(4)
    for (const seed of [1, 2, 3]) {
      const at = (bytes: number) =>
        runPolicy({ ...spec, pool: { size: bytes, areas: 4 } }, 'fail', seed).then((r) => r.result)
      expect(healthy(await at(3 * MIB))).toBe(true)
      expect(healthy(await at(2 * MIB))).toBe(false)
    }
    expect(fail.runsAtAnswer).toBe(3)
    expect(fail.confidence).toBe(
      '0 failures in 3 runs: too few runs to bound the failure probability (3/n ≥ 1)',
    )
    // 3 MiB is 1536 slots; the kernel boots 2048 (a power of two), which was checked too.
    expect(fail.bootParameter).toBe('swiotlb=2048')
    expect(fail.kernelPoolBytes).toBe(4 * MIB)
    expect(fail.recommendation).toMatch(/^swiotlb=2048 {3}\(4 MiB, 4 areas: the kernel rounds 1536 slots up/)
    expect(fail.perSeedMinPoolBytes).toEqual({ p50: 3 * MIB, p95: 3 * MIB })
    expect(fail.throughputPct).toBe(100)
    const throttle = sized.policies.throttle!
    expect(throttle.minPoolBytes).toBe(256 * 1024)
    expect(throttle.bootParameter).toBeNull()
    expect(throttle.recommendation).toBe(
      '256 KiB in 1 area: needs the throttling patches (no mainline kernel has this policy)',
    )
    expect(throttle.mibps!).toBeLessThan(throttle.unconstrainedMibps)
  })

  it('--min-throughput: a throttled pool must also be fast', async () => {
    const spec = small({ policies: ['throttle'] })
    const sized = await sizePool(spec, { seeds: 2, jobs: 1, minThroughputPct: 95 })
    const t = sized.policies.throttle!
    expect(sized.minThroughputPct).toBe(95)
    expect(t.minPoolBytes!).toBeGreaterThan(256 * 1024)
    expect(t.throughputPct!).toBeGreaterThanOrEqual(95)
    await expect(sizePool(spec, { minThroughputPct: 0 })).rejects.toThrow(
      'Expected `minThroughputPct` to be a percentage in (0, 100], got 0',
    )
  })

  it('an answer at the top of the grid says how many sizes above it were checked, and the text too', async () => {
    // fail needs 3 MiB here (above); a grid that ends at 3, 4 or 5 MiB has 0, 1 or 2 sizes above it.
    const spec = small({ policies: ['fail'] })
    const search = 'then the answer and the 2 sizes above it'
    for (const [limit, above, note] of [
      [3, 0, '; the largest size tried (the 3 MiB limit): no larger size was checked'],
      [4, 1, '; only 1 size above it, up to the 4 MiB limit: no larger size was checked'],
      [5, 2, ''],
    ] as const) {
      const sized = await sizePool(spec, { seeds: 3, jobs: 1, limitBytes: limit * MIB })
      const fail = sized.policies.fail!
      expect(fail.minPoolBytes).toBe(3 * MIB)
      expect(fail.sizesAbove).toBe(above)
      expect(sized.verifyAbove).toBe(2)
      const text = formatSize(sized, 4)
      const line = text.split('\n').find((l) => l.startsWith('search: '))!
      if (above === 2) {
        // 5 MiB is not a power of two: the coarse scan tried it too, and says so.
        expect(line.startsWith('search: the power-of-two sizes and the 5 MiB limit, then')).toBe(true)
        expect(line.endsWith(search)).toBe(true)
        expect(fail.recommendation).not.toContain('no larger size was checked')
      } else {
        expect(line).toBe(
          `search: the power-of-two sizes${limit === 4 ? '' : ` and the ${limit} MiB limit`}, then every size between the last that failed in all seeds and the first that passed in all, ${search} where the grid has them (it ends at the ${limit} MiB limit; sizes above the answer: fail ${above === 0 ? 'none' : above})`,
        )
        expect(fail.recommendation.endsWith(`${note})`) || fail.recommendation.endsWith(note)).toBe(true)
        expect(text).toContain(note.slice(2))
      }
    }
    const throttle = await sizePool(small({ policies: ['throttle'] }), {
      seeds: 2,
      jobs: 1,
      limitBytes: 256 * 1024,
    })
    expect(throttle.policies.throttle).toMatchObject({
      minPoolBytes: 256 * 1024,
      sizesAbove: 0,
      recommendation:
        '256 KiB in 1 area: needs the throttling patches (no mainline kernel has this policy); the largest size tried (the 256 KiB limit): no larger size was checked',
    })
  })

  it('answers null fields when no pool up to the limit is healthy', async () => {
    const sized = await sizePool(small({ policies: ['fail'] }), { limitBytes: 2 * MIB, seeds: 2, jobs: 1 })
    expect(sized.policies.fail).toMatchObject({
      minPoolBytes: null,
      sizesAbove: null,
      peakPoolBytes: null,
      mibps: null,
      confidence: null,
      bootParameter: null,
      recommendation: 'no pool up to 2 MiB meets the criteria in every seed',
    })
  })
})

describe('size CLI', () => {
  const files = { 'small.json': JSON.stringify({ ...SMALL, policies: ['fail', 'throttle'] }) }

  it('--json is byte-identical for --jobs 1 and --jobs 2, and keeps DESIGN §8’s minPoolBytes', async () => {
    const outputs: string[] = []
    for (const jobs of ['1', '2']) {
      const { io, out } = memoryIo({ files })
      expect(await main(['size', 'small.json', '--json', '--seeds', '2', '--jobs', jobs], io)).toBe(0)
      outputs.push(out.stdout)
    }
    expect(outputs[1]).toBe(outputs[0])
    const json = JSON.parse(outputs[0]!)
    expect(json.scenario).toBe('small')
    expect(json.policies.fail.minPoolBytes).toBe(3 * MIB)
  })

  it('prints the answer, the confidence line and the recommendation per policy', async () => {
    const { io, out } = memoryIo({ files })
    expect(await main(['size', 'small.json', '--seeds', '4', '--jobs', '1'], io)).toBe(0)
    expect(out.stdout).toContain('small: 4 seeds per pool size (seeds 1–4), sizes in whole segments per area')
    expect(out.stdout).toMatch(
      /^fail +0 failures in 4 runs: the failure probability per run is below 3\/4 = 75 % at 95 % confidence$/m,
    )
    expect(out.stdout).toMatch(/^ +swiotlb=2048 {3}\(4 MiB, 4 areas/m)
    expect(out.stdout).toMatch(/^ +256 KiB in 1 area: needs the throttling patches/m)
  })

  it('refuses bad flags with one line', async () => {
    for (const [flag, value, message] of [
      ['--seeds', '0', '--seeds expects a whole number from 1 to 100000, got "0"'],
      ['--jobs', 'many', '--jobs expects a whole number from 1 to 1024, got "many"'],
      ['--min-throughput', '120', '--min-throughput expects a percentage in (0, 100], e.g. 90, got "120"'],
    ] as const) {
      const { io, out } = memoryIo({ files })
      expect(await main(['size', 'small.json', flag, value], io)).toBe(2)
      expect(out.stderr).toBe(`dma-throttle: ${message}\n`)
    }
  })
})

describe('PoolGrid and the spec', () => {
  it('a spec’s areas set the step: coco-fio (16 areas) moves in 4 MiB', () => {
    const grid = new PoolGrid(16, 4096 * MIB)
    expect(grid.at(5).bytes - grid.at(4).bytes).toBe(4 * MIB)
  })
})

describe('bad options to sizePool and runHiwater: a coded error naming the value, before any run', () => {
  const spec = small({ policies: ['fail'] })
  const coded = (name: string, got: string) =>
    expect.objectContaining({
      code: 'ERR_OUT_OF_RANGE',
      message: expect.stringMatching(new RegExp(`\`${name}\`.*got ${got}`)),
    })

  it('sizePool: seeds, seed, minThroughputPct, limitBytes, verifyAbove', async () => {
    for (const [options, name, got] of [
      [{ seeds: 0 }, 'seeds', '0 \\(number\\)'],
      [{ seeds: 2.5 }, 'seeds', '2.5 \\(number\\)'],
      [{ seed: -1 }, 'seed', '-1 \\(number\\)'],
      [{ minThroughputPct: 0 }, 'minThroughputPct', '0 \\(number\\)'],
      [{ limitBytes: 1000 }, 'limitBytes', '1000 \\(number\\)'],
      [{ verifyAbove: -1 }, 'verifyAbove', '-1 \\(number\\)'],
      [{ verifyAbove: 1.5 }, 'verifyAbove', '1.5 \\(number\\)'],
    ] as const) {
      await expect(sizePool(spec, { jobs: 1, ...options })).rejects.toThrow(coded(name, got))
    }
  })

  it('runHiwater: areas, intervals (0 ms never ends), seeds and phases (none gives NaN)', async () => {
    const runner = { jobs: 1, run: () => Promise.reject(new Error('ran')), close: async () => {} }
    for (const [options, name, got] of [
      [{ areas: [3] }, 'areas', '3 \\(number\\)'],
      [{ intervalsMs: [0] }, 'intervalsMs', '0 \\(number\\)'],
      [{ intervalsMs: [] }, 'intervalsMs', '\\[array of 0\\]'],
      [{ seeds: { first: 1, count: 0 } }, 'seeds.count', '0 \\(number\\)'],
      [{ seeds: { first: -1, count: 1 } }, 'seeds.first', '-1 \\(number\\)'],
      [{ offsets: 0 }, 'offsets', '0 \\(number\\)'],
    ] as const) {
      await expect(runHiwater(spec, { runner, ...options })).rejects.toThrow(coded(name, got))
    }
  })
})

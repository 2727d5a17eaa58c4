import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { Subject } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { formatTraceSize } from '../../src/cli/commands/trace-size.js'
import type { Swiotlb } from '../../src/index.js'
import { formatBytes } from '../../src/index.js'
import {
  bootParameter,
  hiwaterTrace,
  PoolGrid,
  parseSpec,
  ReplayBatch,
  readTrace,
  replayRuns,
  replayTrace,
  runSpec,
  SamplerBank,
  sizeTrace,
  type TraceEvent,
  TraceWriter,
  UsageTrace,
} from '../../src/sim/index.js'
import { params } from '../helpers/fc-params.js'

const DIR = mkdtempSync(join(tmpdir(), 'dma-throttle-trace-size-'))
const SLOT = 2048

// 4 KiB I/Os: every mapping is two page-aligned slots, so usage alone decides whether a map fits.
const spec = parseSpec({
  name: 'trace-size',
  cpus: 4,
  pool: '64M',
  runtime: '10ms',
  devices: [{ name: 'nvme0', type: 'nvme' }],
  jobs: [{ name: 'j', rw: 'randrw', bs: '4k', iodepth: 64, numjobs: 4 }],
  policies: ['fail'],
})

/** The spec's `fail` run exported as a capture, and its exact hiwater. */
async function exported(): Promise<{ file: string; peak: number; events: TraceEvent[] }> {
  const file = join(DIR, 'sized.trace')
  const writer = new TraceWriter(file, [`pool ${spec.pool.size} bytes, ${spec.pool.areas} areas`])
  const sim = await runSpec(spec, { observe: (_, dma) => writer.attach(dma) })
  writer.close()
  const events: TraceEvent[] = []
  for await (const e of readTrace(file)) events.push(e)
  return { file, peak: sim.policies.fail!.hiwater.exact, events }
}

describe('size on a trace: the search of size <scenario>, one replay per size', () => {
  it('answers the smallest healthy size of the grid, with the swiotlb= line the kernel boots with', async () => {
    const { file, peak } = await exported()
    const result = await sizeTrace(file, ['fail', 'throttle'], { areas: 4, maxWaitMs: 0 })
    expect(result.peakBytes).toBe(peak)
    expect(result).toMatchObject({ areas: 4, cpus: 4, maxWaitMs: 0, limitBytes: 4 * 2 ** 30 })
    const grid = new PoolGrid(4, result.limitBytes)
    const sizes = Array.from({ length: 64 }, (_, i) => grid.at(i))
    // fail: usage alone decides, so the answer is the first size of the grid that holds the peak.
    const fail = result.policies.fail!
    expect(fail.minPoolBytes).toBe(sizes.find((c) => c.bytes >= peak)!.bytes)
    // throttle with no wait allowed: every map is blocking here (may block -1, --may-block all), so
    // the budget, floor(0.70 × slots), must hold the peak.
    const throttle = result.policies.throttle!
    expect(throttle.minPoolBytes).toBe(
      sizes.find((c) => Math.floor(0.7 * (c.bytes / SLOT)) >= peak / SLOT)!.bytes,
    )
    // The replay right below each answer fails, the one at it does not.
    for (const [policy, r] of [
      ['fail', fail],
      ['throttle', throttle],
    ] as const) {
      const at = grid.indexAtLeast(r.minPoolBytes!)
      const pool = (c: { bytes: number; areas: number }) => ({ size: c.bytes, areas: c.areas })
      const below = await replayTrace(file, pool(grid.at(at - 1)), policy, { maxWaitMs: 0 })
      expect(below.ioErrors).toBeGreaterThan(0)
      const healthy = await replayTrace(file, pool(grid.at(at)), policy, { maxWaitMs: 0 })
      expect(healthy.ioErrors).toBe(0)
    }
    const boot = bootParameter(fail.minPoolBytes!, 4, 4)
    expect(fail.bootParameter).toBe(boot.parameter)
    expect(fail.kernelPoolBytes).toBe(boot.pool.bytes)
    expect(fail.recommendation).toContain(`${boot.parameter}   (`)
    expect(fail.recommendation).toMatch(/no error in the replay at \d+ (KiB|MiB)\)$/)
    expect(fail.confidence).toMatch(
      /^one deterministic replay per size: no error at this size nor at the 2 sizes above it/,
    )
    expect(throttle.bootParameter).toBeNull()
    expect(throttle.recommendation).toMatch(/needs the throttling patches/)
    expect(fail.runsAtAnswer).toBe(1)
    expect(throttle.mapWaitMaxUs).toBe(0)
    expect(result.passes).toBeLessThan(result.replays)
  })

  it('an answer near the limit says how many sizes above it were replayed, in the text too', async () => {
    const { events, peak } = await exported()
    const grid = new PoolGrid(4, 4 * 2 ** 30)
    const at = grid.indexAtLeast(peak) // fail's answer: the first size that holds the peak (above)
    for (const above of [0, 1, 2]) {
      const limitBytes = grid.at(at + above).bytes
      const result = await sizeTrace(events, ['fail'], { areas: 4, limitBytes })
      const fail = result.policies.fail!
      expect(fail.minPoolBytes).toBe(grid.at(at).bytes)
      expect(fail.sizesAbove).toBe(above)
      expect(result.verifyAbove).toBe(2)
      const text = formatTraceSize(result)
      const limit = formatBytes(limitBytes)
      if (above === 2) {
        expect(fail.confidence).toMatch(
          /^one deterministic replay per size: no error at this size nor at the 2 sizes above it;/,
        )
        expect(text).toContain('then the answer and the 2 sizes above it (')
        expect(text).toContain('has no error at the answer and at the 2 sizes above it (a lowest pass')
      } else {
        expect(fail.confidence).toBe(
          `one deterministic replay per size: no error at this size${above === 0 ? ', the largest size tried' : ' nor at the size above it, the largest tried'} (no larger size was checked); this holds for the traffic the trace recorded, not for traffic it did not see`,
        )
        expect(text).toContain(
          `then the answer and the 2 sizes above it where the grid has them (it ends at the ${limit} limit; sizes above the answer: fail ${above === 0 ? 'none' : 1}) (`,
        )
        expect(text).toContain(
          `has no error at the answer and at the 2 sizes above it where the grid has them (up to ${limit}) (a lowest pass`,
        )
        // Nowhere a bare claim of 2 sizes checked above the answer.
        for (const rest of text.split('2 sizes above it').slice(1)) {
          expect(rest.startsWith(' where the grid has them')).toBe(true)
        }
      }
    }
  })

  it('a limit below one segment per default area: the unconstrained replay takes the grid areas at the limit', async () => {
    // As sizePool's does: a 1 MiB limit holds 4 areas of one segment, not the default 16 (the free
    // replay at the limit was built with 16 areas and threw).
    const { events } = await exported()
    const limitBytes = 2 ** 20
    const result = await sizeTrace(events, ['fail'], { limitBytes })
    expect(result.limitBytes).toBe(limitBytes)
    const fail = result.policies.fail
    if (fail !== null && fail !== undefined) expect(fail.minPoolBytes).toBeLessThanOrEqual(limitBytes)
  })

  it('refuses bad options before reading the trace, with the value in the message', async () => {
    const missing = join(DIR, 'never-read.trace')
    await expect(sizeTrace(missing, ['fail'], { areas: 3 })).rejects.toThrow(
      /`areas` to be a power of two, got 3/,
    )
    await expect(sizeTrace(missing, ['fail'], { cpus: 0 })).rejects.toThrow(
      /`cpus` to be a whole number from 1, got 0/,
    )
    await expect(sizeTrace(missing, ['fail'], { limitBytes: 1000 })).rejects.toThrow(
      /`limitBytes` to be at least one segment .* got 1000/,
    )
    await expect(sizeTrace(missing, ['nope' as 'fail'])).rejects.toThrow(/nope/)
    await expect(replayTrace([], { size: 1 << 20, areas: 1 }, 'throttle', { maxWaitMs: -1 })).rejects.toThrow(
      expect.objectContaining({
        code: 'ERR_TRACE_OPTION',
        message: expect.stringMatching(/`maxWaitMs` .* got -1/),
      }),
    )
  })

  it('without a wait bound a throttle is healthy far below the peak: its maps wait instead', async () => {
    const { events, peak } = await exported()
    const result = await sizeTrace(events, ['throttle'], { areas: 4 })
    const r = result.policies.throttle!
    expect(r.minPoolBytes!).toBeLessThan(peak)
    expect(r.mapWaitMaxUs!).toBeGreaterThan(0)
    expect(result.cpus).toBe(4)
  })
})

describe('ReplayBatch', () => {
  it('replays the runs asked for together in one pass, each as it would be alone', async () => {
    const { events } = await exported()
    const batch = new ReplayBatch(events, { maxWaitMs: 1 })
    const runs = [
      { policy: 'fail', pool: { size: 1 << 20, areas: 4 } },
      { policy: 'throttle', pool: { size: 1 << 20, areas: 2 } },
      { policy: 'hybrid', pool: { size: 2 << 20, areas: 4 } },
    ] as const
    const together = await Promise.all(runs.map((r) => batch.run(r)))
    expect(batch.passes).toBe(1)
    for (const [i, r] of runs.entries()) {
      expect(together[i]).toEqual(await replayTrace(events, r.pool, r.policy, { maxWaitMs: 1 }))
    }
    // A run asked for after a pass is in the next one.
    await batch.run(runs[0])
    expect(batch).toMatchObject({ passes: 2, replays: 4 })
  })
})

describe('--max-wait-ms: a map that waited that long fails', () => {
  // Two 128 KiB maps on a 256 KiB pool under throttle (budget 70 %, 89 slots): the second waits 5 ms.
  const ms = 1e6
  const map = (at: number, key: string, line: number): TraceEvent => ({
    kind: 'map',
    atNs: at * ms,
    key,
    device: 'd',
    cpu: 0,
    dir: 'to-device',
    mayBlock: true,
    sizes: [131072],
    holdNs: undefined,
    line,
  })
  const unmap = (at: number, key: string, line: number): TraceEvent => ({
    kind: 'unmap',
    atNs: at * ms,
    key,
    device: 'd',
    line,
  })
  const events = [map(0, 'a', 1), map(1, 'b', 2), unmap(6, 'a', 3), unmap(7, 'b', 4)]
  const pool = { size: 256 * 1024, areas: 1 }

  it('counts it as an I/O error; a longer bound lets it wait', async () => {
    const free = await replayTrace(events, pool, 'throttle')
    expect(free).toMatchObject({ ioErrors: 0, ios: 2 })
    expect(free.mapWaitUs.max).toBe(5000)
    const short = await replayTrace(events, pool, 'throttle', { maxWaitMs: 4 })
    expect(short).toMatchObject({ ioErrors: 1, ios: 1 })
    const long = await replayTrace(events, pool, 'throttle', { maxWaitMs: 6 })
    expect(long).toMatchObject({ ioErrors: 0, ios: 2 })
  })
})

/** A stand-in pool that only emits map and unmap events, for UsageTrace. */
function fakePool() {
  const events$ = new Subject<{ type: 'map' | 'unmap'; at: number; slots: number }>()
  return { events$, dma: { events$ } as unknown as Swiotlb }
}

describe('SamplerBank: the samplers of UsageTrace without its record', () => {
  it('reads the same maxima as UsageTrace.sampledMax, for any changes, intervals and phases', () => {
    const changes = fc.array(
      fc.record({
        dt: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true })),
        up: fc.boolean(),
        n: fc.integer({ min: 1, max: 64 }),
      }),
      { maxLength: 80 },
    )
    const intervals = fc.array(fc.constantFrom(0.1, 0.3, 1, 2.5, 7, 100), { minLength: 1, maxLength: 4 })
    fc.assert(
      fc.property(
        changes,
        intervals,
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        (cs, ivs, offsets, tail) => {
          const { events$, dma } = fakePool()
          const record = new UsageTrace(dma)
          const bank = new SamplerBank(ivs, offsets)
          let at = 0
          let used = 0
          for (const c of cs) {
            at += c.dt
            const delta = c.up || used < c.n ? c.n : -c.n
            used += delta
            events$.next({ type: delta > 0 ? 'map' : 'unmap', at, slots: Math.abs(delta) })
            bank.change(at, delta)
          }
          const end = at + tail
          const expected = ivs.map((iv) =>
            Array.from({ length: offsets }, (_, j) => record.sampledMax(iv, (iv * j) / offsets, end)),
          )
          expect(bank.finish(end)).toEqual(expected)
          expect(bank.peak).toBe(record.max())
        },
      ),
      params(200),
    )
  })

  it('refuses an interval of 0 ms and a phase count below 1', () => {
    expect(() => new SamplerBank([0], 8)).toThrow(/more than 0 ms, got 0/)
    expect(() => new SamplerBank([1], 0)).toThrow(/`offsets` to be a whole number from 1, got 0/)
  })
})

describe('hiwater on a trace', () => {
  it('is the exact mark, sampled ÷ exact over phases and per-area sum ÷ exact of each area count', async () => {
    const { events, peak } = await exported()
    const intervalsMs = [0.1, 1, 3]
    const areas = [1, 4, 16]
    const result = await hiwaterTrace(events, 64 * 2 ** 20, { areas, intervalsMs, offsets: 4 })
    expect(result.exact).toEqual(areas.map((a) => ({ areas: a, bytes: peak, ioErrors: 0 })))
    // The same replays, recorded change by change and read by UsageTrace's samplers.
    const records: UsageTrace[] = []
    const { summary, results } = await replayRuns(
      events,
      areas.map((a) => ({ policy: 'fail', pool: { size: 64 * 2 ** 20, areas: a } })),
      { observe: (r) => void records.push(new UsageTrace(r.dma)) },
    )
    const sampled = intervalsMs.map((iv) => {
      const ratios = records.flatMap((rec) => {
        const end = Math.max(summary.durationMs, rec.atMs[rec.atMs.length - 1]!)
        return [0, 1, 2, 3].map((j) => rec.sampledMax(iv, (iv * j) / 4, end) / rec.max())
      })
      const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length
      return {
        intervalMs: iv,
        mean: Math.round(mean * 1000) / 1000,
        worst: Math.round(Math.min(...ratios) * 1000) / 1000,
      }
    })
    expect(result.sampled).toEqual(sampled)
    expect(result.sampled[0]!.worst).toBeLessThanOrEqual(1)
    expect(result.perAreaSum).toEqual(
      areas.map((a, i) => ({
        areas: a,
        ratio: Math.round((results[i]!.hiwater.perAreaSum / results[i]!.hiwater.exact) * 1000) / 1000,
      })),
    )
    expect(result.perAreaSum[0]!.ratio).toBe(1)
  })

  it('refuses an area count that does not split the pool into whole segments', async () => {
    await expect(hiwaterTrace([], 1 << 20, { areas: [8] })).rejects.toThrow(
      /split the 4-segment pool into whole segments each, got 8/,
    )
  })
})

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Mapping } from '../../src/index.js'
import {
  type PolicyInput,
  PolicyReplay,
  type PolicyReplayOptions,
  parseSpec,
  readTrace,
  replayTrace,
  runSpec,
  type TraceEvent,
  type TraceMap,
  TraceWriter,
} from '../../src/sim/index.js'
import { params } from '../helpers/fc-params.js'

const DIR = mkdtempSync(join(tmpdir(), 'dma-throttle-replay-'))
const SEGMENT = 256 * 1024

/** A one-segment map by 'sda' on CPU 0, non-blocking and without a hold unless `extra` says so. */
const segMap = (atNs: number, key: string, extra: Partial<TraceEvent> = {}): TraceEvent =>
  ({
    kind: 'map',
    atNs,
    key,
    device: 'sda',
    cpu: 0,
    dir: 'to-device',
    mayBlock: false,
    sizes: [SEGMENT],
    holdNs: undefined,
    line: 0,
    ...extra,
  }) as TraceEvent

/** One replay of `events`, driven as replayRuns drives it, with each map's outcome and unmap time. */
async function drive(
  events: readonly TraceEvent[],
  policy: PolicyInput,
  pool: { size: number; areas: number },
  options: PolicyReplayOptions = {},
) {
  const outcomes: Array<{
    e: TraceMap
    requestAt: number
    maps: readonly Mapping[] | undefined
    unmapAt?: number
  }> = []
  const byAddr = new Map<number, (typeof outcomes)[number]>()
  let requestAt = 0
  const r = new PolicyReplay(policy, pool, {
    ...options,
    onMap: (e, maps) => {
      const o = { e, requestAt: pending.get(e)!, maps }
      outcomes.push(o)
      if (maps !== undefined) byAddr.set(maps[0]!.addr, o)
    },
  })
  const pending = new Map<TraceMap, number>()
  r.dma.events$.subscribe((ev) => {
    if (ev.type !== 'unmap') return
    const o = byAddr.get(ev.addr)
    if (o !== undefined && o.maps![0]!.addr === ev.addr && o.unmapAt === undefined) {
      o.unmapAt = ev.at
      byAddr.delete(ev.addr)
    }
  })
  const start = events[0]?.atNs ?? 0
  for (const e of events) {
    requestAt = (e.atNs - start) / 1e6
    const p = r.advanceTo(requestAt)
    if (p !== undefined) await p
    if (e.kind === 'map') pending.set(e, requestAt)
    r.apply(e)
    await null
  }
  const result = await r.finish()
  return { result, outcomes }
}

const slotsOf = (bytes: number) => Math.ceil(bytes / 2048)

/** Which maps a pool of `nslabs` refuses when usage is all that counts (uniform, aligned sizes). */
function countingModel(events: readonly TraceEvent[], nslabs: number): number[] {
  return usageModel(events, nslabs).failed
}

/** The counting model's refusals and its peak usage, slots. */
function usageModel(events: readonly TraceEvent[], nslabs: number): { failed: number[]; peak: number } {
  let peak = 0
  let used = 0
  const live = new Map<string, number>()
  const failed: number[] = []
  for (const e of events) {
    if (e.kind === 'map') {
      const n = e.sizes.reduce((s, b) => s + slotsOf(b), 0)
      if (used + n > nslabs) failed.push(e.line)
      else {
        used += n
        peak = Math.max(peak, used)
        live.set(e.key, n)
      }
    } else if (e.kind === 'unmap') {
      used -= live.get(e.key) ?? 0
      live.delete(e.key)
    }
  }
  return { failed, peak }
}

async function readAll(file: string): Promise<TraceEvent[]> {
  const out: TraceEvent[] = []
  for await (const e of readTrace(file)) out.push(e)
  return out
}

describe('round trip: simulate --trace-out, then replay', () => {
  // 4 KiB I/Os: every mapping is two page-aligned slots, so usage alone decides whether a map fits.
  const spec = parseSpec({
    name: 'round-trip',
    cpus: 4,
    pool: '64M',
    runtime: '20ms',
    devices: [{ name: 'nvme0', type: 'nvme' }],
    jobs: [{ name: 'j', rw: 'randrw', bs: '4k', iodepth: 64, numjobs: 4 }],
    policies: ['fail'],
  })

  it('replays at the same pool with the exact hiwater and map count; a smaller pool fails where usage passes it', async () => {
    const file = join(DIR, 'round-trip.trace')
    const writer = new TraceWriter(file, [`pool ${spec.pool.size} bytes, ${spec.pool.areas} areas`])
    const sim = await runSpec(spec, { observe: (_, dma) => writer.attach(dma) })
    writer.close()
    const simulated = sim.policies.fail!
    expect(simulated.ioErrors).toBe(0)
    expect(writer.maps).toBe(simulated.ios)
    expect(writer.unmaps).toBe(writer.maps)

    const same = await replayTrace(file, spec.pool, 'fail')
    expect(same.hiwater.exact).toBe(simulated.hiwater.exact)
    expect(same.ios).toBe(writer.maps)
    expect(same.ioErrors).toBe(0)

    const events = await readAll(file)
    const peakSlots = simulated.hiwater.exact / 2048
    const pool = {
      size: Math.max(SEGMENT, Math.floor((simulated.hiwater.exact * 0.75) / SEGMENT) * SEGMENT),
      areas: 1,
    }
    const nslabs = pool.size / 2048
    expect(nslabs).toBeLessThan(peakSlots)
    const { result, outcomes } = await drive(events, 'fail', pool)
    const failedLines = outcomes.filter((o) => o.maps === undefined).map((o) => o.e.line)
    expect(failedLines.length).toBeGreaterThan(0)
    expect(failedLines).toEqual(countingModel(events, nslabs))
    expect(result.ioErrors).toBe(failedLines.length)
    expect(result.hiwater.exact).toBe(pool.size)
    // The first failure is the first map at which the simulated run's own usage passed the pool.
    let used = 0
    let firstOver: number | undefined
    for (const e of events) {
      if (e.kind === 'map') used += slotsOf(e.sizes[0]!)
      else if (e.kind === 'unmap') used -= 2
      if (e.kind === 'map' && used > nslabs) {
        firstOver = e.line
        break
      }
    }
    expect(failedLines[0]).toBe(firstOver)
  })
})

interface Step {
  map: boolean
  dtNs: number
  device: number
  mayBlock: boolean | undefined
  pick: number
}

/** A random trace of uniform mappings: maps, unmaps of live ones, and every leftover unmapped at the end. */
function traceOf(steps: readonly Step[], bytes: number): TraceMap[] | TraceEvent[] {
  const events: TraceEvent[] = []
  const live: string[] = []
  let t = 0
  let n = 0
  let line = 1
  const unmap = (key: string) =>
    events.push({ kind: 'unmap', atNs: t, key, device: key.split('/')[0]!, line: ++line })
  for (const s of steps) {
    t += s.dtNs
    if (s.map || live.length === 0) {
      const key = `d${s.device}/${n++}`
      live.push(key)
      events.push({
        kind: 'map',
        atNs: t,
        key,
        device: `d${s.device}`,
        cpu: s.device,
        dir: 'to-device',
        mayBlock: s.mayBlock,
        sizes: [bytes],
        holdNs: undefined,
        line: ++line,
      })
    } else unmap(live.splice(s.pick % live.length, 1)[0]!)
  }
  t += 1000
  for (const key of live) unmap(key)
  return events
}

const steps = fc.array(
  fc.record({
    map: fc.integer({ min: 0, max: 9 }).map((n) => n < 7), // mostly maps: the pool fills
    dtNs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000_000 })), // ties included
    device: fc.integer({ min: 0, max: 1 }),
    mayBlock: fc.constantFrom(true, false, undefined),
    pick: fc.nat(),
  }),
  { minLength: 1, maxLength: 60 },
)
const sizes = fc.constantFrom(2048, 4096, SEGMENT)

describe('replay model (property tests)', () => {
  it('under fail, exactly the maps that find no room fail, as I/O errors of their device', async () => {
    await fc.assert(
      fc.asyncProperty(steps, sizes, fc.integer({ min: 1, max: 4 }), async (s, bytes, segments) => {
        const events = traceOf(s, bytes)
        const pool = { size: segments * SEGMENT, areas: 1 }
        const { result, outcomes } = await drive(events, 'fail', pool)
        const failed = outcomes.filter((o) => o.maps === undefined)
        const model = usageModel(events, pool.size / 2048)
        expect(failed.map((o) => o.e.line)).toEqual(model.failed)
        expect(result.hiwater.exact).toBe(model.peak * 2048) // unmaps at their time, before later maps
        for (const [device, d] of Object.entries(result.devices)) {
          expect(d.ioErrors).toBe(failed.filter((o) => o.e.device === device).length)
        }
        expect(outcomes.every((o) => o.maps === undefined || o.maps[0]!.waitedMs === 0)).toBe(true)
      }),
      params(60),
    )
  })

  it('under throttle, blocking maps wait instead of failing, non-blocking ones never wait, and every hold is kept', async () => {
    let waitedMaps = 0
    await fc.assert(
      fc.asyncProperty(
        steps,
        fc.constantFrom(32768, 65536),
        fc.integer({ min: 1, max: 2 }),
        async (s, bytes, segments) => {
          const events = traceOf(s, bytes)
          const pool = { size: segments * SEGMENT, areas: 1 }
          const { result, outcomes } = await drive(events, 'throttle', pool, { mayBlock: ['d0'] })
          expect(result.stuckIos).toBe(0)
          const unmapAt = new Map<string, number>()
          const start = events[0]!.atNs
          for (const e of events) if (e.kind === 'unmap') unmapAt.set(e.key, (e.atNs - start) / 1e6)
          for (const o of outcomes) {
            const blocking = o.e.mayBlock ?? o.e.device === 'd0'
            if (blocking) expect(o.maps).toBeDefined()
            if (o.maps === undefined) continue
            const waited = o.maps[0]!.waitedMs
            if (waited > 0) waitedMaps++
            if (!blocking) expect(waited).toBe(0)
            const hold = unmapAt.get(o.e.key)! - o.requestAt
            expect(o.unmapAt! - (o.requestAt + waited)).toBeCloseTo(hold, 9)
          }
        },
      ),
      params(60),
    )
    expect(waitedMaps).toBeGreaterThan(0)
  })
})

describe('pairing', () => {
  it('counts unmaps of no map and maps never unmapped per device, and maps that failed in the trace', async () => {
    const m = (atNs: number, key: string, device: string): TraceEvent => ({
      kind: 'map',
      atNs,
      key,
      device,
      cpu: 0,
      dir: 'from-device',
      mayBlock: false,
      sizes: [4096],
      holdNs: undefined,
      line: 0,
    })
    const u = (atNs: number, key: string, device: string): TraceEvent => ({
      kind: 'unmap',
      atNs,
      key,
      device,
      line: 0,
    })
    const events: TraceEvent[] = [
      u(0, '0x1', 'nvme0'),
      m(1, '0x2', 'nvme0'),
      m(2, '0x3', 'eth0'),
      m(3, '0x2', 'nvme0'), // 0x2 again before its unmap: the first one's unmap was lost
      { kind: 'fail', atNs: 4, device: 'eth0', size: 4096, line: 0 },
      u(5, '0x3', 'eth0'),
      u(6, '0x4', 'eth0'),
    ]
    const r = new PolicyReplay('fail', { size: SEGMENT, areas: 1 })
    for (const e of events) {
      r.advanceTo(e.atNs / 1e6)
      r.apply(e)
    }
    const result = await r.finish()
    expect(Object.fromEntries(r.counts.maps)).toEqual({ nvme0: 2 })
    expect(Object.fromEntries(r.counts.unmaps)).toEqual({ nvme0: 1, eth0: 1 })
    expect(Object.fromEntries(r.counts.traceFailures)).toEqual({ eth0: 1 })
    expect(result.devices['nvme0']!.ios).toBe(1) // the lost-unmap one, released when its address came back
    expect(result.devices['eth0']!.ios).toBe(1)
  })

  it('an unmap happens at its time, before a map the trace puts after it at the same time', async () => {
    const seg = (atNs: number, key: string) => segMap(atNs, key)
    // Times from the first event: 49 ns and 7000 ns, where 49e-6 + (7e-3 - 49e-6) > 7e-3 in doubles.
    const events: TraceEvent[] = [
      seg(0, 'x'),
      { kind: 'unmap', atNs: 0, key: 'x', device: 'sda', line: 0 },
      seg(49, 'a'),
      { kind: 'unmap', atNs: 7000, key: 'a', device: 'sda', line: 0 },
      seg(7000, 'b'),
    ]
    const r = await replayTrace(events, { size: SEGMENT, areas: 1 }, 'fail')
    expect([r.ios, r.ioErrors, r.hiwater.exact]).toEqual([2, 0, SEGMENT])
  })

  it('reports the pool the Swiotlb built, not the size asked for (1.25 MiB in 4 areas is 2 MiB)', async () => {
    const events: TraceEvent[] = [
      segMap(0, 'a'),
      { kind: 'unmap', atNs: 1000, key: 'a', device: 'sda', line: 0 },
    ]
    for (const policy of ['fail', 'throttle'] as const) {
      const r = await replayTrace(events, { size: 1280 * 1024, areas: 4 }, policy)
      expect([policy, r.poolBytes.initial, r.poolBytes.peak]).toEqual([
        policy,
        2 * 1024 * 1024,
        2 * 1024 * 1024,
      ])
    }
  })

  it('replayTrace keeps holds from ftrace-style maps and moves them by the wait', async () => {
    const map = (atNs: number, key: string) => segMap(atNs, key, { mayBlock: true, holdNs: 2e6 })
    // Two whole-segment maps at once on a 2-segment pool: throttle's budget (70 %) admits one; the
    // other waits the first one's 2 ms hold and is then held 2 ms itself.
    const { outcomes, result } = await drive([map(0, 'a'), map(0, 'b')], 'throttle', {
      size: 2 * SEGMENT,
      areas: 1,
    })
    expect(outcomes.map((o) => o.maps![0]!.waitedMs)).toEqual([0, 2])
    expect(outcomes.map((o) => o.unmapAt)).toEqual([2, 4])
    expect(result.stuckIos).toBe(0)
    const fail = await replayTrace(
      [map(0, 'a'), map(0, 'b'), map(0, 'c')],
      { size: 2 * SEGMENT, areas: 1 },
      'fail',
    )
    expect([fail.ios, fail.ioErrors]).toEqual([2, 1])
  })
})

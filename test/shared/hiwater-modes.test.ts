import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type HiwaterMode, type SharedMapping, SharedSwiotlb, VirtualClock } from '../../src/index.js'
import { params } from '../helpers/fc-params.js'

// One sequence of maps and unmaps, spread over the areas, played on one pool per hiwater mode. Each
// mode's mark is compared with what it must be: exact = the peak of the total; per-area = the sum of
// each area's own peak; batched = lib/percpu_counter.c's arithmetic (modelled here) and within
// areas × (batch − 1) of the peak; sampled = the peak of the totals read at the sampler's ticks.

const AREAS = 4
const BATCH = 8
const INTERVAL = 2
const MODES: readonly HiwaterMode[] = ['off', 'exact', 'per-area', 'batched', 'sampled']

const op = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('map' as const),
      slots: fc.integer({ min: 1, max: 40 }),
      cpu: fc.nat({ max: AREAS - 1 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat() }) },
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3 }) }),
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const) }) },
)

/** percpu_counter_add_batch with the area as the CPU, written from the kernel's description. */
class BatchedModel {
  readonly delta = new Array<number>(AREAS).fill(0)
  count = 0
  mark = 0
  add(area: number, amount: number): void {
    const c = this.delta[area]! + amount
    if (c >= BATCH || c <= -BATCH) {
      this.count += c
      this.delta[area] = 0
      this.mark = Math.max(this.mark, this.count)
    } else this.delta[area] = c
  }
}

describe('hiwater modes on one thread', () => {
  it('each mode reports what it must, and batched stays within areas × (batch − 1) of exact', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 120 }), async (ops) => {
        const clock = new VirtualClock()
        const pools = MODES.map(
          (mode) =>
            new SharedSwiotlb({
              size: '1M',
              areas: AREAS,
              backing: false,
              clock,
              hiwater: { mode, batch: BATCH, intervalMs: INTERVAL },
            }),
        )
        const live: { cpu: number; slots: number; maps: SharedMapping[] }[] = []
        const areaUsed = new Array<number>(AREAS).fill(0)
        const areaPeak = new Array<number>(AREAS).fill(0)
        let used = 0
        let peak = 0
        let sampled = 0
        const batched = new BatchedModel()
        for (const o of ops) {
          if (o.kind === 'map') {
            const maps = pools.map((p) => p.tryMap(o.slots * 2048, { cpu: o.cpu }))
            // Same calls, same slots: every pool agrees on whether it fitted, and where.
            expect(new Set(maps.map((m) => m?.addr)).size).toBe(1)
            if (maps[0] === undefined) continue
            const area = Math.floor((maps[0].addr - 2 ** 32) / 2048 / (512 / AREAS))
            live.push({ cpu: area, slots: o.slots, maps: maps as SharedMapping[] })
            areaUsed[area]! += o.slots
            areaPeak[area] = Math.max(areaPeak[area]!, areaUsed[area]!)
            used += o.slots
            peak = Math.max(peak, used)
            batched.add(area, o.slots)
          } else if (o.kind === 'unmap') {
            if (live.length === 0) continue
            const m = live.splice(o.pick % live.length, 1)[0]!
            for (const map of m.maps) map.unmap()
            areaUsed[m.cpu]! -= m.slots
            used -= m.slots
            batched.add(m.cpu, -m.slots)
          } else if (o.kind === 'advance') {
            const before = Math.floor(clock.now() / INTERVAL)
            await clock.advanceBy(o.ms)
            if (Math.floor(clock.now() / INTERVAL) > before) sampled = Math.max(sampled, used)
          } else {
            for (const p of pools) p.resetHiwater(0)
            peak = used
            for (let a = 0; a < AREAS; a++) areaPeak[a] = areaUsed[a]!
            batched.mark = batched.count
            sampled = used
          }
          const marks = pools.map((p) => p.stats().hiwater)
          const sum = areaPeak.reduce((a, b) => a + b, 0)
          expect(marks).toEqual([undefined, peak, sum, batched.mark, sampled])
          expect(Math.abs(batched.mark - peak)).toBeLessThanOrEqual(AREAS * (BATCH - 1))
          expect(pools[3]!.stats().hiwaterBound).toBe(AREAS * (BATCH - 1))
          for (const p of pools) expect(p.stats().used).toBe(used)
        }
        for (const p of pools) p.close()
        expect(clock.pendingTimers).toBe(0)
      }),
      params(100),
    )
  })

  it('the per-area sum overstates the peak when areas peak apart; batched does not', () => {
    // Michael Kelley's example in small: each area fills while the others are empty.
    const make = (mode: HiwaterMode) =>
      new SharedSwiotlb({ size: '1M', areas: AREAS, backing: false, hiwater: { mode, batch: BATCH } })
    const exact = make('exact')
    const perArea = make('per-area')
    const batched = make('batched')
    for (let a = 0; a < AREAS; a++) {
      const held = [exact, perArea, batched].map((p) => p.tryMap(100 * 2048, { cpu: a })!)
      for (const m of held) m.unmap()
    }
    expect(exact.stats().hiwater).toBe(100)
    expect(perArea.stats().hiwater).toBe(400)
    expect(Math.abs(batched.stats().hiwater! - 100)).toBeLessThanOrEqual(AREAS * (BATCH - 1))
  })
})

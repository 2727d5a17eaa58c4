import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Mapping, Swiotlb, VirtualClock } from '../src/index.js'
import { params } from './helpers/fc-params.js'

const op = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('block' as const),
      slots: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 64, max: 128 })),
      timeoutMs: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
      abortable: fc.boolean(),
      device: fc.constantFrom('a', 'b', 'c'),
    }),
  },
  fc.record({ kind: fc.constant('irq' as const), slots: fc.integer({ min: 1, max: 64 }) }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat() }) },
  fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 10 }) }),
)

for (const mode of ['budget', 'fairShare', 'serialize'] as const) {
  describe(`throttle property: ${mode}`, () => {
    it('random interleavings keep the budget and arrival order, and drain to zero', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 80 }), async (ops) => {
          const clock = new VirtualClock()
          const throttle =
            mode === 'serialize'
              ? { mode: 'serialize' as const, high: 0.6, low: 0.4 }
              : { high: 0.6, fairShare: mode === 'fairShare' }
          const dma = new Swiotlb({ size: '1M', areas: 2, backing: false, clock, throttle })
          const held: Mapping[] = []
          const controllers: AbortController[] = []
          const arrivals: { id: number; device: string; done: boolean }[] = []
          const overtaken: number[] = []
          let nextId = 0
          for (const o of ops) {
            if (o.kind === 'block') {
              const id = nextId++
              const ac = o.abortable ? new AbortController() : undefined
              if (ac) controllers.push(ac)
              const entry = { id, device: o.device, done: false }
              arrivals.push(entry)
              dma
                .map(o.slots * 2048, {
                  mayBlock: true,
                  device: o.device,
                  ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
                  ...(ac ? { signal: ac.signal } : {}),
                })
                .then(
                  (m) => {
                    // Everyone who arrived earlier (on the same device, under fairShare) has left or is in.
                    const earlier = arrivals.filter(
                      (a) => a.id < id && (mode !== 'fairShare' || a.device === o.device),
                    )
                    if (mode !== 'serialize' && !earlier.every((a) => a.done)) overtaken.push(id)
                    entry.done = true
                    held.push(m)
                  },
                  () => {
                    entry.done = true
                  },
                )
            } else if (o.kind === 'irq') {
              const m = dma.tryMap(o.slots * 2048)
              if (m) held.push(m)
            } else if (o.kind === 'unmap' && held.length > 0) {
              held.splice(o.pick % held.length, 1)[0]!.unmap()
            } else if (o.kind === 'abort' && controllers.length > 0) {
              controllers.splice(o.pick % controllers.length, 1)[0]!.abort()
            } else if (o.kind === 'advance') {
              await clock.advanceBy(o.ms)
            }
            await clock.advanceBy(0)
            const s = dma.stats()
            if (mode !== 'serialize') expect(s.throttle.blockingUsed).toBeLessThanOrEqual(s.throttle.budget)
            expect(s.used).toBe(held.reduce((n, m) => n + m.slots, 0))
            expect(s.liveMappings).toBe(held.length)
            expect(overtaken).toEqual([])
          }
          // Drain: release everything, repeatedly, until nobody waits.
          for (
            let round = 0;
            round < 1000 && (held.length > 0 || dma.stats().throttle.waiting > 0);
            round++
          ) {
            while (held.length > 0) held.pop()!.unmap()
            await clock.advanceBy(0)
          }
          for (const ac of controllers) ac.abort()
          await clock.runAll()
          expect(dma.stats()).toMatchObject({
            used: 0,
            liveMappings: 0,
            throttle: { waiting: 0, blockingUsed: 0 },
          })
          expect(clock.pendingTimers).toBe(0)
          expect(arrivals.every((a) => a.done)).toBe(true)
        }),
        params(60),
      )
    })
  })
}

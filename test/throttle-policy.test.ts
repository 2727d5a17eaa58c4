import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Swiotlb, type ThrottleOptions } from '../src/index.js'
import { BudgetPolicy } from '../src/throttle/budget.js'
import { createPolicy } from '../src/throttle/create-policy.js'
import { FairSharePolicy } from '../src/throttle/fair-share.js'
import type { Admitted, ThrottleConfig, ThrottleHost } from '../src/throttle/policy.js'
import { SerializePolicy } from '../src/throttle/serialize.js'
import { Waiter } from '../src/throttle/wait-queue.js'
import { params } from './helpers/fc-params.js'
import { SLOT } from './helpers/throttle-harness.js'

/**
 * A host with `room` free slots: grant takes them and logs the waiter's name, or refuses (changing
 * nothing) when they are not there. The policies are driven directly, without a Swiotlb around them.
 */
class Host implements ThrottleHost {
  used = 0
  readonly log: string[] = []
  readonly names = new Map<Waiter, string>()
  constructor(
    readonly nslabs: number,
    public room: number,
  ) {}

  grant(w: Waiter): Admitted | undefined {
    if (w.nslots > this.room) return undefined
    this.room -= w.nslots
    this.used += w.nslots
    this.log.push(this.names.get(w)!)
    return { slots: w.nslots, device: w.device }
  }

  refuse(w: Waiter): void {
    this.log.push(`${this.names.get(w)!}: full`)
  }

  /** Set by a test: nothing can ever make room (no release to come, no grow). */
  strandedNow = false
  stranded(): boolean {
    return this.strandedNow
  }

  waiter(name: string, nslots: number, device = 'default'): Waiter {
    const w = new Waiter(nslots, nslots * SLOT, device, 0)
    this.names.set(w, name)
    return w
  }
}

function policy(
  mode: ThrottleConfig['mode'],
  nslabs: number,
  high: number,
  low = high,
  whenFull: ThrottleConfig['whenFull'] = 'wait',
) {
  const host = new Host(nslabs, nslabs)
  return { host, p: createPolicy({ mode, high, low, whenFull }, host) }
}

describe('createPolicy', () => {
  it('makes the policy of each mode', () => {
    const classes = { budget: BudgetPolicy, 'fair-share': FairSharePolicy, serialize: SerializePolicy }
    for (const [mode, kind] of Object.entries(classes)) {
      const { p } = policy(mode as ThrottleConfig['mode'], 1024, 0.5)
      expect(p).toBeInstanceOf(kind)
      expect(p.mode).toBe(mode)
      // stats() shows the budget of the budget modes, and 0 for the RFC, which has none.
      expect(p.budget()).toBe(mode === 'serialize' ? 0 : 512)
    }
  })

  it('answers the shrinker: no shrink while anyone waits, nor below what blocking mappings hold', () => {
    for (const mode of ['budget', 'fair-share', 'serialize'] as const) {
      const { host, p } = policy(mode, 1024, 0.5)
      expect(p.submit(host.waiter('a', 100))).toBe(true)
      // Budget modes: 100 slots held need floor(0.5 × capacity) >= 100. Serialize has no budget.
      expect([p.mayShrinkTo(200), p.mayShrinkTo(199)]).toEqual([true, mode === 'serialize'])
      host.room = 0
      expect(p.submit(host.waiter('b', 1))).toBe(false)
      expect(p.mayShrinkTo(1024)).toBe(false)
    }
  })

  it('budget: one FIFO; a head that does not fit holds back smaller requests behind it', () => {
    const { host, p } = policy('budget', 100, 0.1) // budget 10 slots
    const a = host.waiter('a', 6)
    expect(p.submit(a)).toBe(true)
    expect(p.submit(host.waiter('b', 6))).toBe(false)
    expect(p.submit(host.waiter('c', 1))).toBe(false) // fits the budget, but b is first
    expect([p.waiting, p.bytesWaiting, p.highCount]).toEqual([2, 7 * SLOT, 2])
    p.release({ slots: 6, device: 'default' })
    expect(host.log).toEqual(['a', 'b', 'c'])
    expect([p.waiting, p.bytesWaiting, p.blockingUsed]).toEqual([0, 0, 7])
  })

  it('budget: a head the allocator cannot place stays at the head until a drain finds room', () => {
    const { host, p } = policy('budget', 100, 0.5)
    host.room = 4
    const big = host.waiter('big', 8)
    expect(p.submit(big)).toBe(false) // within the budget, but no slots
    expect(p.submit(host.waiter('small', 2))).toBe(false)
    p.drain()
    expect([host.log, p.oldest()]).toEqual([[], big])
    host.room = 10
    p.drain()
    expect(host.log).toEqual(['big', 'small'])
    expect(p.blockingUsed).toBe(10)
  })

  // Found by the shared model test (seed 827563390): a head the kernel's search missed in an idle
  // pool waited for a release that could never come, and held every later blocking caller behind it.
  for (const mode of ['budget', 'fair-share', 'serialize'] as const) {
    it(`${mode}: a head that finds no room while the host is stranded is refused, and the next goes`, () => {
      const { host, p } = policy(mode, 100, 0.5)
      host.room = 4
      expect(p.submit(host.waiter('big', 8))).toBe(false) // no slots, but a release may come
      // serialize queues only throttled callers: below the high mark this one maps at once.
      expect(p.submit(host.waiter('small', 2))).toBe(mode === 'serialize')
      p.drain()
      expect([host.log, p.waiting]).toEqual(mode === 'serialize' ? [['small'], 1] : [[], 2])
      host.strandedNow = true
      p.drain()
      expect(host.log).toEqual(mode === 'serialize' ? ['small', 'big: full'] : ['big: full', 'small'])
      expect([p.waiting, p.bytesWaiting, p.blockingUsed]).toEqual([0, 0, 2])
    })

    it(`${mode}: a request that finds no room while the host is stranded is refused at once, not queued`, () => {
      const { host, p } = policy(mode, 100, 0.5)
      host.room = 4
      host.strandedNow = true
      const big = host.waiter('big', 8)
      expect(p.submit(big)).toBe(false)
      expect([host.log, p.waiting, big.refused, big.queue]).toEqual([['big: full'], 0, true, undefined])
      expect(p.submit(host.waiter('small', 2))).toBe(true)
    })
  }

  it('fair-share: the trigger loop serves device heads round-robin', () => {
    const { host, p } = policy('fair-share', 4096, 0.5) // budget 2048 slots
    const x = host.waiter('x', 2048, 'x')
    expect(p.submit(x)).toBe(true)
    for (const name of ['a1', 'a2', 'b1', 'b2']) expect(p.submit(host.waiter(name, 100, name[0]))).toBe(false)
    p.release({ slots: 2048, device: 'x' })
    expect(host.log).toEqual(['x', 'a1', 'b1', 'a2', 'b2'])
    expect([p.waiting, p.blockingUsed]).toEqual([0, 400])
  })

  it('serialize: only the unmap of the mapping that took the semaphore gives it up', () => {
    const { host, p } = policy('serialize', 100, 0.5, 0.4)
    const granted = new Map<string, Admitted>()
    const grant = host.grant.bind(host)
    host.grant = (w) => {
      const m = grant(w)
      if (m !== undefined) granted.set(host.names.get(w)!, m)
      return m
    }
    host.used = 60 // non-blocking mappings: above the high mark
    expect(p.submit(host.waiter('t1', 10))).toBe(true) // throttled: takes the free semaphore, maps
    expect(p.submit(host.waiter('t2', 10))).toBe(false) // throttled: waits for the semaphore
    expect(p.submit(host.waiter('t3', 10))).toBe(false)
    // A mapping of the same size and device that is not the owner gives nothing up.
    p.admitted(10, 'default')
    p.release({ slots: 10, device: 'default' })
    expect([host.log, p.waiting]).toEqual([['t1'], 2])
    p.release(granted.get('t1')!)
    expect([host.log, p.waiting]).toEqual([['t1', 't2'], 1])
    p.release(granted.get('t2')!)
    expect([host.log, p.waiting, p.highCount, p.lowCount]).toEqual([['t1', 't2', 't3'], 0, 3, 0])
  })
})

type Op =
  | { kind: 'submit'; slots: number; device: string }
  | { kind: 'release'; pick: number }
  | { kind: 'remove'; pick: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      slots: fc.integer({ min: 1, max: 64 }),
      device: fc.constantFrom('a', 'b', 'c'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
)

for (const mode of ['budget', 'fair-share', 'serialize'] as const) {
  describe(`${mode} policy, driven directly`, () => {
    it('keeps its counters exact, its queues FIFO and its budget, and admits everyone once all is released', () => {
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 10, maxLength: 80 }), (ops) => {
          const { host, p } = policy(mode, 128, 0.5, 0.4) // a budget of 64 slots: queues form
          const granted = new Map<string, Admitted>()
          const grant = host.grant.bind(host)
          host.grant = (w) => {
            const m = grant(w)
            if (m !== undefined) granted.set(host.names.get(w)!, m)
            return m
          }
          const waiting: Waiter[] = []
          const queued = new Set<string>()
          const arrival = new Map<string, number>()
          const releaseOne = (name: string) => {
            const m = granted.get(name)!
            granted.delete(name)
            host.room += m.slots
            host.used -= m.slots
            p.release(m)
          }
          const check = () => {
            for (let i = waiting.length - 1; i >= 0; i--)
              if (host.log.includes(host.names.get(waiting[i]!)!)) waiting.splice(i, 1)
            expect(p.waiting).toBe(waiting.length)
            expect(p.bytesWaiting).toBe(waiting.reduce((sum, w) => sum + w.sizeBytes, 0))
            expect(p.blockingUsed).toBe([...granted.values()].reduce((sum, m) => sum + m.slots, 0))
            if (mode !== 'serialize') expect(p.blockingUsed).toBeLessThanOrEqual(p.budget())
          }
          let id = 0
          for (const o of ops) {
            if (o.kind === 'submit') {
              const name = `${o.device}${id++}`
              const w = host.waiter(name, o.slots, o.device)
              arrival.set(name, id)
              if (!p.submit(w)) {
                waiting.push(w)
                queued.add(name)
              }
            } else if (o.kind === 'release') {
              const names = [...granted.keys()]
              if (names.length !== 0) releaseOne(names[o.pick % names.length]!)
            } else if (waiting.length !== 0) {
              const w = waiting.splice(o.pick % waiting.length, 1)[0]!
              p.remove(w)
            }
            check()
          }
          for (let guard = 0; granted.size !== 0 && guard < 1000; guard++) releaseOne([...granted.keys()][0]!)
          check()
          expect(p.waiting).toBe(0)
          // Admission order: arrival order within a device under fair-share, overall under budget; under
          // serialize an unthrottled request maps at once, so only the queued ones keep their order.
          const sameLine = (n: string, d: string) =>
            mode === 'fair-share' ? n[0] === d : mode === 'budget' || queued.has(n)
          for (const d of ['a', 'b', 'c']) {
            const order = host.log.filter((n) => sameLine(n, d)).map((n) => arrival.get(n)!)
            expect(order).toEqual([...order].sort((x, y) => x - y))
          }
        }),
        params(200),
      )
    })
  })
}

describe("throttle mode 'fair-share' and its alias fairShare: true", () => {
  it('normalize to the same options and report the same mode', () => {
    for (const throttle of [
      { mode: 'fair-share' },
      { fairShare: true },
      { mode: 'budget', fairShare: true },
      { mode: 'fair-share', fairShare: true },
    ] as ThrottleOptions[]) {
      const dma = new Swiotlb({ size: '1M', backing: false, throttle })
      expect(dma.options.throttle).toEqual({ high: 0.7, low: 0.65, mode: 'fair-share', whenFull: 'wait' })
      expect(dma.stats().throttle.mode).toBe('fair-share')
    }
    const plain = new Swiotlb({ backing: false, throttle: { fairShare: false } })
    expect(plain.options.throttle).toEqual({ high: 0.7, low: 0.65, mode: 'budget', whenFull: 'wait' })
  })

  it('refuses fairShare with mode serialize, and an unknown mode, with a coded error naming the value', () => {
    expect(() => new Swiotlb({ throttle: { mode: 'serialize', fairShare: true } })).toThrow(
      expect.objectContaining({
        code: 'ERR_OUT_OF_RANGE',
        message: "Expected `throttle.fairShare` to be false with mode 'serialize', got true (boolean)",
      }),
    )
    expect(() => new Swiotlb({ throttle: { mode: 'fairShare' as 'fair-share' } })).toThrow(
      expect.objectContaining({
        code: 'ERR_OUT_OF_RANGE',
        message: `Expected \`throttle.mode\` to be 'budget', 'fair-share' or 'serialize', got "fairShare" (string)`,
      }),
    )
  })
})

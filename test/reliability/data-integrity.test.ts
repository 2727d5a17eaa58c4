import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Mapping, type MappingDirection, Swiotlb, VirtualClock } from '../../src/index.js'
import { params } from '../helpers/fc-params.js'

// Data integrity (issue 7, item 2): every byte a device writes through `mapping.bytes` reaches the
// caller's buffer at unmap and syncForCpu for from-device and bidirectional mappings, and nowhere else;
// to-device mappings never copy back; a device only ever sees its own caller's bytes.
const GUARD = 0xee
const PAD = 64

interface Req {
  readonly id: number
  readonly dir: MappingDirection
  readonly view: Uint8Array // the caller's bytes, inside a larger buffer full of guard bytes
  readonly outer: Uint8Array
  readonly minAlignMask: number
  /** What the caller's bytes must be. */
  expected: Uint8Array
  /** What the device must see, once mapped. */
  device: Uint8Array | undefined
  mapping: Mapping | undefined
  state: 'waiting' | 'mapped' | 'gone'
}

const op = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('map' as const),
      size: fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 4097, max: 96 * 1024 })),
      offset: fc.nat(PAD),
      dir: fc.constantFrom<MappingDirection>('to-device', 'from-device', 'bidirectional'),
      blocking: fc.boolean(),
      minAlignMask: fc.constantFrom(0, 0, 0x7ff, 0xfff),
      seed: fc.nat(255),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('device-write' as const), pick: fc.nat(), seed: fc.nat(255) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('caller-write' as const), pick: fc.nat(), seed: fc.nat(255) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync-cpu' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync-device' as const), pick: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat(), skip: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(20) }) },
)

/** Fills `bytes` with a pattern of `seed`, different for every position. */
function fill(bytes: Uint8Array, seed: number, from = 0, to = bytes.length): void {
  for (let i = from; i < to; i++) bytes[i] = (seed * 131 + i * 7 + 1) & 0xff
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

describe('data integrity', () => {
  it('bytes go where the direction says, and nowhere else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 80 }), async (ops) => {
        const clock = new VirtualClock()
        const dma = new Swiotlb({
          size: '512K',
          clock,
          throttle: { high: 0.7 },
          growth: { chunkBytes: '256K', maxBytes: '2M', waitMs: 3, transient: true, shrinkAfterMs: 5 },
        })
        const reqs: Req[] = []
        const pick = (n: number, state: Req['state']) => {
          const list = reqs.filter((r) => r.state === state)
          return list[n % Math.max(1, list.length)]
        }
        const settle = async (ms = 0) => {
          await clock.advanceBy(ms)
          for (const r of reqs) {
            if (r.state === 'waiting' && r.mapping !== undefined) {
              // Admitted during the last step: the device sees the caller's bytes of that moment.
              r.state = 'mapped'
              r.device = r.expected.slice()
            }
          }
        }
        for (const o of ops) {
          if (o.kind === 'map') {
            const outer = new Uint8Array(o.size + 2 * PAD).fill(GUARD)
            const view = outer.subarray(o.offset, o.offset + o.size)
            fill(view, o.seed)
            const r: Req = {
              id: reqs.length,
              dir: o.dir,
              view,
              outer,
              minAlignMask: o.minAlignMask,
              expected: view.slice(),
              device: undefined,
              mapping: undefined,
              state: 'waiting',
            }
            reqs.push(r)
            dma
              .map(view, { dir: o.dir, mayBlock: o.blocking, minAlignMask: o.minAlignMask })
              .then((m) => {
                r.mapping = m
              })
              .catch(() => {
                r.state = 'gone' // full (non-blocking): nothing was mapped
              })
            await settle()
          } else if (o.kind === 'device-write') {
            const r = pick(o.pick, 'mapped')
            if (r === undefined) continue
            const from = o.seed % r.view.length
            fill(r.mapping!.bytes, o.seed + 1, from)
            fill(r.device!, o.seed + 1, from)
          } else if (o.kind === 'caller-write') {
            const r = pick(o.pick, o.seed % 2 === 0 ? 'mapped' : 'waiting')
            if (r === undefined) continue
            fill(r.view, o.seed + 2)
            fill(r.expected, o.seed + 2)
          } else if (o.kind === 'sync-cpu') {
            const r = pick(o.pick, 'mapped')
            if (r === undefined) continue
            r.mapping!.syncForCpu()
            if (r.dir !== 'to-device') r.expected = r.device!.slice()
          } else if (o.kind === 'sync-device') {
            const r = pick(o.pick, 'mapped')
            if (r === undefined) continue
            r.mapping!.syncForDevice()
            if (r.dir !== 'from-device') r.device = r.expected.slice()
          } else if (o.kind === 'unmap') {
            const r = pick(o.pick, 'mapped')
            if (r === undefined) continue
            r.mapping!.unmap({ skipCpuSync: o.skip })
            if (r.dir !== 'to-device' && !o.skip) r.expected = r.device!.slice()
            r.state = 'gone'
            await settle()
          } else await settle(o.ms)

          for (const r of reqs) {
            const where = `request #${r.id} (${r.dir}, ${r.state})`
            expect(same(r.view, r.expected), `${where}: the caller's bytes`).toBe(true)
            const guards = [
              ...r.outer.subarray(0, r.view.byteOffset),
              ...r.outer.subarray(r.view.byteOffset + r.view.length),
            ]
            expect(
              guards.every((b) => b === GUARD),
              `${where}: bytes around the caller's view`,
            ).toBe(true)
            if (r.state !== 'mapped') continue
            const m = r.mapping!
            expect(m.bytes.length, `${where}: device view length`).toBe(r.view.length)
            expect(same(m.bytes, r.device!), `${where}: what the device sees`).toBe(true)
            expect(m.addr & r.minAlignMask, `${where}: min_align_mask bits`).toBe(
              r.view.byteOffset & r.minAlignMask,
            )
          }
        }
        // Unmap everything; waiters get admitted on the way and are unmapped in turn.
        for (let i = 0; i < 50 && reqs.some((r) => r.state !== 'gone'); i++) {
          for (const r of reqs)
            if (r.state === 'mapped') {
              r.mapping!.unmap()
              if (r.dir !== 'to-device') r.expected = r.device!.slice()
              r.state = 'gone'
            }
          await settle(10)
        }
        for (const r of reqs) expect(same(r.view, r.expected), `request #${r.id} at the end`).toBe(true)
        expect(dma.stats()).toMatchObject({ used: 0, liveMappings: 0, transientNslabs: 0 })
        dma.close()
      }),
      params(120),
    )
  })
})

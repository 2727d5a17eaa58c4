import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidUnmapError, type Mapping, Swiotlb, SwiotlbFullError, VirtualClock } from '../src/index.js'

const KiB = 1024

function make(size = '1M', areas = 1) {
  const clock = new VirtualClock()
  return { clock, dma: new Swiotlb({ size, areas, clock, throttle: false }) }
}

describe('map / tryMap / unmap', () => {
  it('maps, reports slots and address, and unmaps to the initial state', async () => {
    const { dma } = make()
    const m = await dma.map(new Uint8Array(3000))
    expect(m.size).toBe(3000)
    expect(m.slots).toBe(2)
    expect(m.dir).toBe('bidirectional')
    expect(m.device).toBe('default')
    expect(m.waitedMs).toBe(0)
    expect(dma.isSwiotlbBuffer(m.addr)).toBe(true)
    expect(dma.stats()).toMatchObject({ used: 2, hiwater: 2, liveMappings: 1, nslabs: 512, pools: 1 })
    m.unmap()
    expect(dma.stats()).toMatchObject({ used: 0, hiwater: 2, liveMappings: 0 })
  })

  it('page-aligns mappings of 4 KiB and more', async () => {
    const { dma } = make()
    const small = await dma.map(new Uint8Array(100))
    const big = await dma.map(new Uint8Array(4096))
    expect(small.addr % 2048).toBe(0)
    expect(big.addr % 4096).toBe(0)
    expect(big.addr - small.addr).toBe(4096) // slot 1 was skipped
  })

  it('minAlignMask keeps the low bits of the buffer offset in the address', async () => {
    const { dma } = make()
    const backing = new ArrayBuffer(16 * KiB)
    const buf = new Uint8Array(backing, 0x1234, 1000)
    const m = await dma.map(buf, { minAlignMask: 0xfff })
    expect(m.addr & 0xfff).toBe(0x234)
    // maxMappingSize is what the kernel advertises (swiotlb_max_mapping_size); its search places more
    // when the buffer's offset allows: from an aligned buffer, a whole segment (issue 14, point 4).
    expect(dma.maxMappingSize(0xfff)).toBe(256 * KiB - 4096)
    const whole = await dma.map(new Uint8Array(256 * KiB), { minAlignMask: 0xfff })
    expect(whole.slots).toBe(128)
    // At offset 0x800 the first slot that keeps bit 11 is slot 1 of a segment: 127 slots at most.
    const odd = new Uint8Array(new ArrayBuffer(257 * KiB), 0x800, 127 * 2048 + 1)
    await expect(dma.map(odd, { minAlignMask: 0xfff })).rejects.toThrow(
      /mapping of 260097 bytes can never fit: largest is 260096 bytes \(in one segment, at this buffer offset/,
    )
    await expect(dma.map(odd.subarray(0, 127 * 2048), { minAlignMask: 0xfff })).resolves.toMatchObject({
      slots: 127,
    })
  })

  it('allocAlignMask aligns the start', async () => {
    const { dma } = make()
    await dma.map(new Uint8Array(10))
    const m = await dma.map(new Uint8Array(10), { allocAlignMask: 0x7fff })
    expect(m.addr % 0x8000).toBe(0)
  })

  it('bounces bytes: always copied in, copied back for from-device and bidirectional only', async () => {
    const { dma } = make()
    for (const dir of ['to-device', 'from-device', 'bidirectional'] as const) {
      const buf = new Uint8Array([1, 2, 3, 4])
      const m = await dma.map(buf, { dir })
      expect([...m.bytes]).toEqual([1, 2, 3, 4])
      m.bytes.set([9, 9, 9, 9])
      m.unmap()
      expect([...buf]).toEqual(dir === 'to-device' ? [1, 2, 3, 4] : [9, 9, 9, 9])
    }
  })

  it('a from-device mapping never shows a device the previous mapping bytes', async () => {
    const { dma } = make()
    const secret = await dma.map(new Uint8Array(2048).fill(0xaa))
    const addr = secret.addr
    secret.unmap({ skipCpuSync: true })
    const fresh = await dma.map(new Uint8Array(2048), { dir: 'from-device' })
    expect(fresh.addr).not.toBe(addr) // the cursor moved on; force reuse next
    fresh.unmap()
    const { dma: one } = make('256K')
    const a = await one.map(new Uint8Array(256 * KiB).fill(0xaa))
    a.unmap({ skipCpuSync: true })
    const b = await one.map(new Uint8Array(256 * KiB), { dir: 'from-device' })
    expect(b.bytes.every((x) => x === 0)).toBe(true)
  })

  it('bytes covers exactly the mapping; sync copies both ways', async () => {
    const { dma } = make()
    const buf = new Uint8Array(10).fill(1)
    const m = await dma.map(buf)
    expect(m.bytes.byteLength).toBe(10)
    buf.fill(2)
    m.syncForDevice()
    expect(m.bytes[0]).toBe(2)
    m.bytes.fill(3)
    m.syncForCpu()
    expect(buf[9]).toBe(3)
  })

  it('accepts any ArrayBufferView and, without backing, a byte count', async () => {
    const { dma } = make()
    const words = new Uint32Array([0x01020304])
    const m = await dma.map(words)
    expect(m.size).toBe(4)
    m.bytes[0] = 0xff
    m.unmap()
    expect(words[0]! & 0xff).toBe(0xff)
    const acct = new Swiotlb({ size: '1M', backing: false, throttle: false, clock: new VirtualClock() })
    const n = await acct.map(5000)
    expect(n.slots).toBe(3)
    expect(() => n.bytes).toThrow(/backing: false/)
    await expect(dma.map(5000 as never)).rejects.toThrow(/backing: false/)
  })

  it('fails non-blocking requests at once with the kernel message', async () => {
    const { dma } = make('256K')
    const m = await dma.map(new Uint8Array(200 * KiB))
    const err = await dma.map(new Uint8Array(100 * KiB)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SwiotlbFullError)
    expect(err).toMatchObject({
      code: 'ERR_SWIOTLB_FULL',
      message: 'swiotlb buffer is full (sz: 102400 bytes), total 128 (slots), used 100 (slots)',
    })
    expect(dma.tryMap(new Uint8Array(100 * KiB))).toBeUndefined()
    expect(dma.stats().failures).toBe(2)
    m.unmap()
  })

  it('rejects a mapping above 256 KiB whatever the pool size', async () => {
    const { dma } = make('64M')
    const err = await dma.map(new Uint8Array(256 * KiB + 1)).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_MAPPING_TOO_LARGE' })
    expect((err as Error).message).toMatch(/262145 bytes/)
    expect(dma.stats().used).toBe(0)
  })

  it('unmap by address; unknown, double and size-mismatched unmaps throw and change nothing', async () => {
    const { dma } = make()
    const a = await dma.map(new Uint8Array(100))
    const b = await dma.map(new Uint8Array(100))
    const before = dma.stats()
    expect(() => dma.unmap(a.addr + 1)).toThrow(InvalidUnmapError)
    expect(() => dma.unmap(12345)).toThrow(/no live mapping/)
    expect(() => dma.unmap(a, { size: 99 })).toThrow(/size 99.*100/)
    expect(dma.stats()).toEqual(before)
    dma.unmap(a.addr)
    expect(a.live).toBe(false)
    expect(() => a.unmap()).toThrow(expect.objectContaining({ code: 'ERR_INVALID_UNMAP' }))
    expect(() => dma.unmap(a.addr)).toThrow(InvalidUnmapError)
    expect(dma.stats().liveMappings).toBe(1)
    b.unmap()
  })

  it('a Mapping of another Swiotlb is rejected', async () => {
    const one = make().dma
    const two = make().dma
    const m = await one.map(new Uint8Array(8))
    expect(() => two.unmap(m)).toThrow(InvalidUnmapError)
    m.unmap()
  })

  it('using disposes: the mapping is unmapped at the end of the block', async () => {
    const { dma } = make()
    {
      using m = await dma.map(new Uint8Array(8))
      expect(m.live).toBe(true)
    }
    expect(dma.stats().liveMappings).toBe(0)
  })

  it('resetHiwater(0) resets to current use; anything else is a RangeError', async () => {
    const { dma } = make()
    const a = await dma.map(new Uint8Array(8 * KiB))
    const b = await dma.map(new Uint8Array(2 * KiB))
    a.unmap()
    expect(dma.stats().hiwater).toBe(5)
    dma.resetHiwater(0)
    expect(dma.stats().hiwater).toBe(1)
    expect(() => dma.resetHiwater(1)).toThrow(RangeError)
    expect(() => dma.resetHiwater(Number.NaN)).toThrow(/got NaN/)
    b.unmap()
  })

  it('tracks per-area high-water marks; their sum can exceed the exact mark', async () => {
    const { dma } = make('1M', 4)
    for (let cpu = 0; cpu < 4; cpu++) (await dma.map(new Uint8Array(64 * KiB), { cpu })).unmap()
    expect(dma.stats().hiwater).toBe(32)
    expect(dma.perAreaHiwaterSum()).toBe(128)
  })

  it('stats() is a frozen snapshot', async () => {
    const { dma } = make()
    const s = dma.stats()
    expect(Object.isFrozen(s)).toBe(true)
    expect(Object.isFrozen(s.throttle.waitMs)).toBe(true)
    await dma.map(new Uint8Array(8))
    expect(s.used).toBe(0)
  })
})

describe('options', () => {
  it('validates every option and names the value', () => {
    expect(() => new Swiotlb({ size: '64X' })).toThrow(/size/)
    expect(() => new Swiotlb({ areas: 3 })).toThrow(/`areas`.*power of two.*got 3/)
    expect(() => new Swiotlb({ size: '512K', areas: 4 })).toThrow(/at most 2/)
    expect(() => new Swiotlb({ size: 1000 })).toThrow(/at least one segment/)
    expect(() => new Swiotlb({ throttle: { high: 1.5 } })).toThrow(/throttle.high/)
    expect(() => new Swiotlb({ throttle: { high: 0.5, low: 0.6 } })).toThrow(/throttle.low/)
    expect(() => new Swiotlb({ growth: { maxBytes: '1M' } })).toThrow(/growth.maxBytes/)
    expect(() => new Swiotlb({ growth: { chunkBytes: 1000 } })).toThrow(/growth.chunkBytes/)
    expect(() => new Swiotlb({ sise: 1 } as never)).toThrow(/"sise"/)
  })

  it('rounds the size up to a whole segment, like the kernel', () => {
    const dma = new Swiotlb({ size: 300 * 1024, backing: false })
    expect(dma.stats().nslabs).toBe(256)
    // …and then to whole segments per area: 3 segments in 2 areas become 4.
    expect(new Swiotlb({ size: '768K', areas: 2, backing: false }).stats().nslabs).toBe(512)
  })

  it('rejects bad map arguments before anything changes', async () => {
    const { dma } = make()
    await expect(dma.map(new Uint8Array(0))).rejects.toThrow(RangeError)
    await expect(dma.map('x' as never)).rejects.toThrow(TypeError)
    await expect(dma.map(new Uint8Array(8), { dir: 'sideways' as never })).rejects.toThrow(/"sideways"/)
    await expect(dma.map(new Uint8Array(8), { cpu: -1 })).rejects.toThrow(/cpu/)
    await expect(dma.map(new Uint8Array(8), { minAlignMask: 2 ** 30 })).rejects.toThrow(/minAlignMask/)
    await expect(dma.map(new Uint8Array(8), { segBoundaryMask: 0xfff0 })).rejects.toThrow(
      /segBoundaryMask.*65520/,
    )
    await expect(dma.map(new Uint8Array(8), 'yes' as never)).rejects.toThrow(/mayBlock/)
    await expect(dma.map(new Uint8Array(8), { mayblock: true } as never)).rejects.toThrow(/"mayblock"/)
    expect(() => dma.tryMap(new Uint8Array(8), { mayBlock: true } as never)).toThrow(/tryMap/)
    expect(dma.stats()).toMatchObject({ used: 0, liveMappings: 0, failures: 0 })
  })
})

describe('properties', () => {
  it('random map/unmap sequences: no overlap, no segment crossing, used = Σ live, bytes round-trip', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('map' as const),
        size: fc.integer({ min: 1, max: 256 * KiB }),
        cpu: fc.nat(7),
        fill: fc.integer({ min: 1, max: 255 }),
      }),
      fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat(), byAddr: fc.boolean() }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const dma = new Swiotlb({ size: '2M', areas: 4, clock: new VirtualClock(), throttle: false })
        const live: Mapping[] = []
        for (const o of ops) {
          if (o.kind === 'map') {
            const buf = new Uint8Array(o.size).fill(o.fill)
            const m = dma.tryMap(buf, { cpu: o.cpu })
            if (m === undefined) continue
            if (o.size >= 4096) expect(m.addr % 4096).toBe(0)
            expect(m.bytes[0]).toBe(o.fill)
            expect(m.bytes[o.size - 1]).toBe(o.fill)
            live.push(m)
          } else if (live.length > 0) {
            const m = live.splice(o.pick % live.length, 1)[0]!
            if (o.byAddr) dma.unmap(m.addr)
            else m.unmap()
          }
          const sorted = [...live].sort((a, b) => a.addr - b.addr)
          for (let i = 1; i < sorted.length; i++) {
            const prev = sorted[i - 1]!
            expect(prev.addr + prev.slots * 2048).toBeLessThanOrEqual(sorted[i]!.addr)
          }
          for (const m of live) {
            const first = Math.floor((m.addr - 2 ** 32) / 2048)
            expect(Math.floor(first / 128)).toBe(Math.floor((first + m.slots - 1) / 128))
          }
          expect(dma.stats().used).toBe(live.reduce((n, m) => n + m.slots, 0))
        }
        for (const m of live) m.unmap()
        expect(dma.stats()).toMatchObject({ used: 0, liveMappings: 0 })
      }),
      { numRuns: 100 },
    )
  })
})

import { describe, expect, it } from 'vitest'
import { testPool } from '../helpers/pools.js'
import { snapshot } from './hostile-helpers.js'

const KiB = 1024

/** Detaches `view`'s ArrayBuffer, as postMessage/structuredClone with transfer does. */
function detach(view: ArrayBufferView): void {
  structuredClone(view, { transfer: [view.buffer as ArrayBuffer] })
}

/** A resizable ArrayBuffer (ES2024; the project's lib is ES2023). */
type Resizable = ArrayBuffer & { resize(byteLength: number): void }
function resizable(byteLength: number, maxByteLength: number): Resizable {
  const Ctor = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable
  return new Ctor(byteLength, { maxByteLength })
}

/** 256 KiB; high 1: blocking maps may use it all. */
const POOL = { size: '256K', throttle: { high: 1 } } as const

describe('detached and resized buffers', () => {
  it('a detached buffer is refused by map and tryMap and changes nothing', async () => {
    const { clock, dma } = testPool(POOL)
    const buf = new Uint8Array(100)
    detach(buf)
    const before = snapshot(dma, clock)
    await expect(dma.map(buf)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' })
    await expect(dma.map(buf, true)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' })
    expect(() => dma.tryMap(buf)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
    expect(snapshot(dma, clock)).toBe(before)
  })

  it('detached after map: copy-back and syncs refuse with a code, skipCpuSync unmaps', async () => {
    const { clock, dma } = testPool(POOL)
    const buf = new Uint8Array(100)
    const m = await dma.map(buf, { dir: 'bidirectional' })
    detach(buf)
    const before = snapshot(dma, clock)
    for (const call of [() => m.unmap(), () => m.syncForCpu(), () => m.syncForDevice()])
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_INVALID_UNMAP' }))
    expect(snapshot(dma, clock)).toBe(before)
    m.unmap({ skipCpuSync: true })
    expect(dma.stats()).toMatchObject({ used: 0, liveMappings: 0 })
  })

  it("a waiter whose buffer is detached while it waits never sees the previous mapping's bytes", async () => {
    const { clock, dma } = testPool(POOL)
    const held = await dma.map(new Uint8Array(256 * KiB), true)
    held.bytes.fill(0xbb) // a device wrote a secret into the bounce buffer
    const mine = new Uint8Array(256 * KiB)
    const p = dma.map(mine, { mayBlock: true, dir: 'from-device' })
    detach(mine)
    held.unmap({ skipCpuSync: true }) // the release admits the waiter: it must not throw here
    const m = await p
    expect(m.bytes.every((b) => b === 0)).toBe(true)
    expect(() => m.unmap()).toThrow(expect.objectContaining({ code: 'ERR_INVALID_UNMAP' }))
    m.unmap({ skipCpuSync: true })
    await clock.advanceBy(0)
    expect(dma.stats()).toMatchObject({ used: 0, liveMappings: 0, throttle: { waiting: 0, blockingUsed: 0 } })
  })

  it("a resizable buffer shrunk while waiting never exposes the previous mapping's bytes", async () => {
    const { dma } = testPool(POOL)
    const held = await dma.map(new Uint8Array(256 * KiB), true)
    held.bytes.fill(0xbb)
    const buffer = resizable(8 * KiB, 256 * KiB)
    const mine = new Uint8Array(buffer) // tracks the buffer's length
    mine.fill(1)
    const p = dma.map(mine, { mayBlock: true, dir: 'from-device' })
    buffer.resize(2 * KiB)
    held.unmap({ skipCpuSync: true })
    const m = await p
    expect(m.size).toBe(8 * KiB)
    expect(m.bytes.includes(0xbb)).toBe(false)
    m.unmap({ skipCpuSync: true })
  })

  it('a resizable buffer grown after map never writes past its mapping', async () => {
    const { dma } = testPool(POOL)
    const buffer = resizable(4 * KiB, 64 * KiB)
    const mine = new Uint8Array(buffer) // tracks the buffer's length
    const m = await dma.map(mine, { dir: 'to-device' })
    const neighbour = await dma.map(new Uint8Array(8 * KiB).fill(7), { dir: 'to-device' })
    buffer.resize(64 * KiB)
    mine.fill(9)
    try {
      m.syncForDevice()
    } catch (e) {
      expect(e).toMatchObject({ code: 'ERR_INVALID_UNMAP' })
    }
    expect(neighbour.bytes.every((b) => b === 7)).toBe(true)
    expect(m.bytes.length).toBe(4 * KiB)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Mapping } from '../../src/index.js'
import { Nic, type NicSpec } from '../../src/sim/index.js'
import { makeContext } from './harness.js'

// What a NIC's receive refill costs, and when. Ground truth: the kernel copies the original buffer
// into the bounce buffer at every map, whatever the direction (kernel/dma/swiotlb.c,
// swiotlb_tbl_map_single: swiotlb_bounce(..., DMA_TO_DEVICE) unconditionally, since "swiotlb: always
// bounce the original buffer"), so a refill's copy happens when, and only when, a buffer is mapped. A
// driver's refill stops at the first mapping error and leaves the rest for the next poll (ixgbe's
// ixgbe_alloc_rx_buffers breaks out when ixgbe_alloc_mapped_page sees dma_mapping_error).

const KIB = 1024

const NIC: NicSpec = {
  type: 'nic',
  name: 'eth0',
  pps: 10_000,
  packetBytes: 1500,
  batch: 10,
  arrivals: 'periodic',
  queues: 1,
  ringSize: 10,
  bufferBytes: 2048,
  bypass: false,
}

/** 1 GB/s of copy and 1 µs per packet: 1500 B out = 1.5 µs, 2048 B in = 2.048 µs. */
const VCPU = { copyBandwidth: 1e9, submitUs: 0, completeUs: 1 }

describe('NIC refill: each buffer mapped is copied in when it is mapped', () => {
  it('a refill that maps k of n buffers costs k copies, after the poll that freed their slots', async () => {
    const { clock, ctx, dma } = makeContext({ size: '256K', throttle: {}, endMs: 2.5, vcpu: VCPU })
    const nic = new Nic(NIC, ctx)
    nic.start() // 10 of the 128 slots
    const others: Mapping[] = []
    for (let i = 0; i < 118; i++) others.push(dma.tryMap(2 * KIB)!)
    // Block I/O waits in the throttle for 4 slots: the first 4 the NIC's poll frees are its own.
    let waiter: Mapping | undefined
    void dma.map(8 * KIB, { mayBlock: true }).then((m) => {
      waiter = m
    })
    const nicMaps: number[] = []
    dma.events$.subscribe((e) => {
      if (e.type === 'map' && e.device === 'eth0') nicMaps.push(Math.round(e.at * 1000))
    })

    // Batch of 10 at 1 ms. The poll: 10 × (1 µs + 1.5 µs) = 25 µs, then it unmaps the 10 buffers;
    // the waiter takes 4 of the freed slots and the refill maps 6 at 1.025 ms, copying 6 × 2.048 µs.
    await clock.advanceBy(1.03)
    expect(nicMaps).toEqual([1025, 1025, 1025, 1025, 1025, 1025])
    expect(waiter).toBeDefined()
    expect(ctx.vcpus.copiedBytes).toBe(10 * 1500 + 6 * 2048)
    expect(ctx.vcpus.busyUs[0]).toBeCloseTo(25 + 6 * 2.048, 9)
    // The 6 new buffers are mapped (their slots are held) but enter the ring once copied: 1.037288 ms.
    expect(nic.mappedBuffers).toBe(0)
    let vcpu0Free = 0
    ctx.vcpus.run(0, 0, () => {
      vcpu0Free = Math.round(clock.now() * 1000)
    })
    await clock.advanceBy(0.01)
    expect(vcpu0Free).toBe(1038) // the tick after 1.037288 ms
    expect(nic.mappedBuffers).toBe(6)

    // The waiter lets go; the batch at 2 ms finds 6 buffers (4 packets dropped). The poll,
    // 6 × 2.5 µs, ends at 2.015 ms; the refill then maps the 6 and the 4 missing: 10 copies.
    waiter!.unmap()
    nicMaps.length = 0
    await clock.advanceBy(0.98) // to 2.02 ms
    expect(nicMaps).toEqual(Array(10).fill(2015))
    expect(ctx.vcpus.copiedBytes).toBe(16 * 1500 + 16 * 2048)
    expect(ctx.vcpus.busyUs[0]).toBeCloseTo(25 + 6 * 2.048 + 15 + 10 * 2.048, 9)
    // Copied in by 2.03548 ms: the ring is whole again from the next tick.
    expect(nic.mappedBuffers).toBe(0)
    await clock.advanceBy(0.015)
    expect(nic.mappedBuffers).toBe(0)
    await clock.advanceBy(0.001)
    expect(nic.mappedBuffers).toBe(10)
  })

  it('the first fill is the interface coming up, before the run: mapped at time 0, no vCPU time', async () => {
    const { clock, ctx, dma } = makeContext({ size: '1M', endMs: 1.5, vcpu: VCPU })
    const nic = new Nic({ ...NIC, queues: 2, ringSize: 64 }, ctx)
    nic.start()
    expect([dma.stats().used, nic.mappedBuffers]).toEqual([128, 128])
    expect([...ctx.vcpus.busyUs, ctx.vcpus.copiedBytes]).toEqual([0, 0, 0])
    // Work queued on the queues' vCPUs at time 0 runs at once.
    const ran: number[] = []
    ctx.vcpus.run(0, 0, () => ran.push(clock.now()))
    ctx.vcpus.run(1, 0, () => ran.push(clock.now()))
    expect(ran).toEqual([0, 0])
  })

  it('a first fill the pool cannot hold leaves holes; the poll that maps them pays for them', async () => {
    const { clock, ctx, dma } = makeContext({ size: '256K', endMs: 1.5, vcpu: VCPU })
    const others: Mapping[] = []
    for (let i = 0; i < 124; i++) others.push(dma.tryMap(2 * KIB)!)
    const nic = new Nic(NIC, ctx)
    nic.start()
    expect(nic.mappedBuffers).toBe(4) // 6 holes
    for (const m of others.splice(0, 20)) m.unmap()
    await clock.advanceBy(1.5)
    // The batch at 1 ms finds 4 buffers (6 dropped); its poll (4 × 2.5 µs) maps 4 + 6.
    expect(ctx.vcpus.copiedBytes).toBe(4 * 1500 + 10 * 2048)
    expect(ctx.vcpus.busyUs[0]).toBeCloseTo(10 + 10 * 2.048, 9)
    expect(nic.mappedBuffers).toBe(10)
  })
})

interface Holder {
  atUs: number
  kib: number
  holdUs: number
}

describe('NIC refill under pool pressure (property)', () => {
  it('whenever its vCPU is idle, the NIC has been charged exactly for what it mapped and unmapped', async () => {
    const holder: fc.Arbitrary<Holder> = fc.record({
      atUs: fc.integer({ min: 0, max: 5999 }),
      kib: fc.constantFrom(2, 4, 8, 16, 32),
      holdUs: fc.integer({ min: 1, max: 3000 }),
    })
    const caseArb = fc.record({
      ringSize: fc.integer({ min: 1, max: 64 }),
      batch: fc.integer({ min: 1, max: 64 }),
      bufferKiB: fc.constantFrom(2, 4),
      holders: fc.array(holder, { maxLength: 40 }),
    })
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const bufferBytes = c.bufferKiB * KIB
        const { clock, ctx, dma, engine } = makeContext({
          size: '256K',
          throttle: { high: 1 },
          endMs: 6,
          vcpu: VCPU,
        })
        // One batch a millisecond, at whole milliseconds; a poll takes at most 64 × 6.6 µs.
        const nic = new Nic(
          { ...NIC, batch: c.batch, pps: c.batch * 1000, ringSize: c.ringSize, bufferBytes },
          ctx,
        )
        nic.start()
        let maps = 0
        let unmaps = 0
        dma.events$.subscribe((e) => {
          if (e.type === 'map' && e.device === 'eth0') maps++
          else if (e.type === 'unmap' && e.device === 'eth0') unmaps++
        })
        // Block I/O that waits its turn in the throttle: it takes slots the NIC's polls free.
        for (const h of c.holders) {
          engine.after(h.atUs / 1000, () => {
            void dma
              .map(h.kib * KIB, { mayBlock: true })
              .then((m) => engine.after(h.holdUs / 1000, () => m.unmap()))
          })
        }
        for (let ms = 0; ms < 8; ms++) {
          await clock.advanceBy(ms === 0 ? 0.9 : 1)
          const copied = unmaps * 1500 + maps * bufferBytes
          expect(ctx.vcpus.copiedBytes).toBe(copied)
          expect(ctx.vcpus.busyUs[0]).toBeCloseTo(unmaps * VCPU.completeUs + copied / 1000, 6)
        }
      }),
      { numRuns: 60, seed: 7 },
    )
  })
})

import { describe, expect, it } from 'vitest'
import { Hog, Nic, Nvme, Scsi } from '../../src/sim/index.js'
import { Collector, makeContext, NVME } from './harness.js'

const KIB = 1024

describe('NVMe', () => {
  it('serves an idle command in latency + bytes / bandwidth, and unmaps at completion', async () => {
    const { engine, clock, dma, ctx } = makeContext()
    const nvme = new Nvme(NVME, ctx)
    const c = new Collector(() => clock.now())
    await nvme.submit(c.io(64 * KIB))
    expect(dma.stats().liveMappings).toBe(1)
    await engine.clock.runAll()
    // 65,536 bytes at 1 GB/s = 65.5 µs, + 100 µs, rounded up to the µs grid.
    expect(c.done).toEqual([{ bytes: 64 * KIB, ok: true, atMs: expect.closeTo(0.166, 9) }])
    expect(dma.stats().liveMappings).toBe(0)
  })

  it('shares its link: a second transfer waits for the first', async () => {
    const { clock, ctx } = makeContext()
    const nvme = new Nvme(NVME, ctx)
    const c = new Collector(() => clock.now())
    await nvme.submit(c.io(64 * KIB))
    await nvme.submit(c.io(64 * KIB, 1))
    await clock.runAll()
    expect(c.done.map((d) => Math.round(d.atMs * 1000))).toEqual([166, 232])
  })

  it('limits each per-CPU queue to its depth (a p-limit): the third command waits for a tag', async () => {
    const { clock, ctx, measures } = makeContext()
    const nvme = new Nvme({ ...NVME, queueDepth: 2 }, ctx)
    const c = new Collector(() => clock.now())
    const dispatched: number[] = []
    const submit = (cpu: number) =>
      nvme.submit(c.io(64 * KIB, cpu)).then(() => dispatched.push(Math.round(clock.now() * 1000)))
    await Promise.all([submit(0), submit(0), submit(0), submit(1), clock.runAll()])
    // CPU 1 has its own queue: it dispatches at once; the third command of CPU 0 waits for a completion.
    expect(dispatched.sort((a, b) => a - b)).toEqual([0, 0, 0, 166])
    expect(measures.device('nvme0', 'nvme').ios).toBe(4)
  })

  it('fails the I/O when the map fails (no throttle): an I/O error one latency later', async () => {
    const { clock, ctx, measures } = makeContext({ size: '256K' })
    const nvme = new Nvme(NVME, ctx)
    const c = new Collector(() => clock.now())
    await nvme.submit(c.io(256 * KIB))
    await nvme.submit(c.io(4 * KIB))
    await clock.runAll()
    expect(c.done.map((d) => [d.ok, Math.round(d.atMs * 1000)])).toEqual([
      [false, 100],
      [true, 363],
    ])
    expect(measures.total('ioErrors')).toBe(1)
  })

  it('sleeps in map under the throttle and records the wait', async () => {
    const { clock, ctx, measures } = makeContext({ size: '1M', throttle: { high: 0.5 } })
    const nvme = new Nvme(NVME, ctx)
    const c = new Collector(() => clock.now())
    const third = (async () => {
      await nvme.submit(c.io(256 * KIB))
      await nvme.submit(c.io(256 * KIB))
      await nvme.submit(c.io(256 * KIB)) // the budget is 512 KiB: this one sleeps
      return clock.now()
    })()
    await clock.runAll()
    const firstDone = c.done[0]!.atMs
    expect(await third).toBeCloseTo(firstDone, 9)
    const d = measures.device('nvme0', 'nvme')
    expect(d.waits).toBe(1)
    expect(d.mapWait.max).toBeCloseTo(firstDone, 3)
    expect(measures.total('ioErrors')).toBe(0)
  })

  it('maps a 1 MiB I/O as four 256 KiB entries of which only entry 0 may block', async () => {
    const { clock, ctx, dma } = makeContext({ size: '4M', throttle: { high: 0.7 } })
    const blocking: boolean[] = []
    dma.events$.subscribe((e) => {
      if (e.type === 'map') blocking.push(e.blocking)
    })
    const nvme = new Nvme(NVME, ctx)
    const c = new Collector(() => clock.now())
    await nvme.submit(c.io(1024 * KIB))
    expect(dma.stats().liveMappings).toBe(4)
    expect(blocking).toEqual([true, false, false, false])
    await clock.runAll()
    expect(c.done[0]!.ok).toBe(true)
  })

  it('unmaps the entries already mapped when a later entry fails', async () => {
    const { clock, ctx, dma } = makeContext({ size: '512K' })
    const nvme = new Nvme(NVME, ctx)
    const c = new Collector(() => clock.now())
    await nvme.submit(c.io(1024 * KIB))
    expect(dma.stats().used).toBe(0)
    await clock.runAll()
    expect(c.done.map((d) => d.ok)).toEqual([false])
  })

  it('polling: completions wait in the CQ until the CPU polls', async () => {
    const { clock, ctx, dma } = makeContext()
    const nvme = new Nvme({ ...NVME, polling: true }, ctx)
    const c = new Collector(() => clock.now())
    await nvme.submit(c.io(64 * KIB))
    await clock.advanceBy(10)
    expect(c.done).toEqual([]) // completed on the device, not reaped
    expect(dma.stats().liveMappings).toBe(1)
    await nvme.poll(0)
    expect(c.done.map((d) => d.ok)).toEqual([true])
    expect(dma.stats().liveMappings).toBe(0)
  })

  it("polling: a submitter asleep in map never reaps the completions that would free it (Robin's deadlock)", async () => {
    const { clock, ctx } = makeContext({ size: '1M', throttle: { high: 0.5 } })
    const nvme = new Nvme({ ...NVME, polling: true }, ctx)
    const c = new Collector(() => clock.now())
    let submitted = 0
    const thread = (async () => {
      for (let i = 0; i < 3; i++) {
        await nvme.submit(c.io(256 * KIB))
        submitted++
      }
      await nvme.poll(0)
    })()
    await clock.advanceBy(1000)
    expect(submitted).toBe(2) // asleep in the third map
    expect(c.done).toEqual([]) // and nobody polls
    void thread
  })
})

describe('SCSI (storvsc-like)', () => {
  it('requeues a command whose map fails and completes it later, without an I/O error', async () => {
    const { clock, ctx, measures } = makeContext({ size: '256K' })
    const scsi = new Scsi(
      {
        type: 'scsi',
        name: 'sda',
        queueDepth: 8,
        latencyUs: 500,
        channels: 8,
        stripeBytes: 256 * 1024,
        bandwidth: 1e9,
        requeueMs: 3,
        mayBlock: true,
        jitter: 0,
      },
      ctx,
    )
    const c = new Collector(() => clock.now())
    await scsi.submit(c.io(256 * KIB))
    await scsi.submit(c.io(256 * KIB))
    await clock.runAll()
    expect(c.done.map((d) => [d.ok, Math.round(d.atMs * 1000)])).toEqual([
      [true, 763],
      [true, 3763],
    ])
    const d = measures.device('sda', 'scsi')
    expect([d.requeues, d.ioErrors, d.ios]).toEqual([1, 0, 2])
  })
})

describe('NIC', () => {
  const NIC = {
    type: 'nic' as const,
    name: 'eth0',
    pps: 200_000,
    packetBytes: 1500,
    batch: 200,
    arrivals: 'periodic' as const,
    queues: 1,
    ringSize: 200,
    bufferBytes: 2048,
    bypass: false,
  }

  it('keeps its ring mapped whatever the traffic; a packet that finds the ring empty is dropped', async () => {
    const { clock, ctx, dma, measures } = makeContext({ size: '256K', endMs: 1.5 })
    const nic = new Nic(NIC, ctx)
    nic.start()
    // 200 buffers of one slot wanted, 128 slots in the pool: the ring holds 128, before any packet.
    expect(dma.stats().used).toBe(128)
    expect(nic.mappedBuffers).toBe(128)
    await clock.advanceBy(1) // one batch of 200 at t = 1 ms
    const d = measures.device('eth0', 'nic')
    expect([d.ios, d.ioErrors]).toEqual([128, 72])
    // The poll unmapped the 128 filled buffers and mapped fresh ones: the ring holds as much as before.
    expect(dma.stats().used).toBe(128)
    await clock.runAll()
    expect(dma.stats().used).toBe(128)
  })

  it('with bypass (pre-decrypted buffers, netvsc) maps nothing and drops nothing', async () => {
    const { clock, ctx, dma, measures } = makeContext({ size: '256K', endMs: 1.5 })
    new Nic({ ...NIC, bypass: true }, ctx).start()
    await clock.runAll()
    expect(dma.stats().hiwater).toBe(0)
    expect(measures.device('eth0', 'nic')).toMatchObject({ ios: 200, ioErrors: 0 })
  })

  it('spends the poll on its queue vCPU: completion and copy out, unmap, then the refill copies in', async () => {
    const { clock, ctx, dma } = makeContext({
      size: '1M',
      endMs: 1.5,
      vcpu: { copyBandwidth: 1e9, submitUs: 0, completeUs: 1 },
    })
    new Nic({ ...NIC, batch: 10, pps: 10_000, ringSize: 10 }, ctx).start()
    const unmapped: number[] = []
    const mapped: number[] = []
    dma.events$.subscribe((e) => {
      if (e.type === 'unmap') unmapped.push(Math.round(clock.now() * 1000))
      if (e.type === 'map') mapped.push(Math.round(clock.now() * 1000))
    })
    await clock.advanceBy(1.2)
    // Batch at 1 ms; 10 × (1 µs + 1500 B at 1 GB/s) = 25 µs on CPU 0, then 10 fresh buffers mapped
    // and copied in: 10 × 2048 B at 1 GB/s = 20.48 µs more.
    expect(unmapped).toEqual(Array(10).fill(1025))
    expect(mapped).toEqual(Array(10).fill(1025))
    expect(ctx.vcpus.busyUs[0]).toBeCloseTo(25 + 20.48, 9)
  })

  it('uses the band above the blocking budget: the throttle never makes it wait', async () => {
    const { clock, ctx, dma, measures } = makeContext({ size: '1M', throttle: { high: 0.5 }, endMs: 1.5 })
    for (let i = 0; i < 2; i++) await dma.map(256 * KIB, { mayBlock: true }) // the whole budget
    new Nic({ ...NIC, pps: 64_000, batch: 64, ringSize: 64 }, ctx).start()
    await clock.runAll()
    expect(measures.device('eth0', 'nic')).toMatchObject({ ios: 64, ioErrors: 0 })
  })
})

describe('Hog (dma-buf import)', () => {
  it('maps its buffer as 256 KiB non-blocking entries, holds it, then lets go', async () => {
    const { clock, ctx, dma, measures } = makeContext({ size: '4M' })
    const hog = new Hog(
      { name: 'buf', bytes: 1024 * KIB + 1, atMs: 1, holdMs: 10, retryMs: undefined, cpu: 0 },
      ctx,
    )
    hog.start()
    await clock.advanceBy(1)
    expect(dma.stats().liveMappings).toBe(5)
    expect(hog.holding).toBe(true)
    await clock.advanceBy(10)
    expect(dma.stats().liveMappings).toBe(0)
    expect(measures.imports).toBe(1)
  })

  it('fails all or nothing and retries while the run lasts', async () => {
    const { clock, ctx, dma, measures } = makeContext({ size: '1M', endMs: 10 })
    const hog = new Hog({ name: 'buf', bytes: 1536 * KIB, atMs: 0, holdMs: 10, retryMs: 2, cpu: 0 }, ctx)
    hog.start()
    await clock.runAll()
    expect(dma.stats().used).toBe(0)
    expect(measures.imports).toBe(0)
    expect(measures.importFailures).toBe(6) // at 0, 2, 4, 6, 8 and 10 ms
  })
})

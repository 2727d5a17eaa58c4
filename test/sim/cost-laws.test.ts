import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Swiotlb } from '../../src/index.js'
import {
  Engine,
  JobClone,
  Measures,
  Nic,
  Nvme,
  nvmeKind,
  parseJob,
  Scsi,
  SimContext,
  type VcpuSpec,
} from '../../src/sim/index.js'
import { sampleInFlight } from './in-flight.js'

/**
 * Laws every queueing model must keep, over random devices, vCPU costs and jobs: runs built by hand
 * so that the test sees every submission, completion, map, unmap and copy.
 */
interface Case {
  cpus: number
  scsi: boolean
  latencyUs: number
  channels: number
  stripeKiB: number
  bandwidthMBps: number
  jitter: number
  vcpu: VcpuSpec
  bsKiB: number
  iodepth: number
  numjobs: number
  readShare: number
  nic: boolean
  pool: string
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  cpus: fc.integer({ min: 1, max: 4 }),
  scsi: fc.boolean(),
  latencyUs: fc.integer({ min: 5, max: 400 }),
  channels: fc.integer({ min: 1, max: 16 }),
  stripeKiB: fc.constantFrom(4, 32, 128),
  bandwidthMBps: fc.integer({ min: 100, max: 4000 }),
  jitter: fc.constantFrom(0, 0.1, 0.3),
  vcpu: fc.record({
    copyBandwidth: fc.constantFrom(1e9, 4 * 1024 ** 3, 16e9),
    submitUs: fc.constantFrom(0, 1, 2.5, 10),
    completeUs: fc.constantFrom(0, 1, 3, 10),
  }),
  bsKiB: fc.constantFrom(4, 16, 64, 256, 1024),
  iodepth: fc.integer({ min: 1, max: 16 }),
  numjobs: fc.integer({ min: 1, max: 4 }),
  readShare: fc.constantFrom(0, 50, 100),
  nic: fc.boolean(),
  pool: fc.constantFrom('256K', '1M', '4M', '256M'),
})

async function run(c: Case, runtimeMs: number) {
  const engine = new Engine()
  const dma = new Swiotlb({ size: c.pool, areas: 1, backing: false, clock: engine.clock, throttle: false })
  const measures = new Measures()
  measures.windowEndMs = runtimeMs
  const ctx = new SimContext(engine, dma, measures, 3, c.cpus, runtimeMs, c.vcpu)
  const fields = {
    name: 'd0',
    type: c.scsi ? 'scsi' : 'nvme',
    latencyUs: c.latencyUs,
    channels: c.channels,
    stripeBytes: c.stripeKiB * 1024,
    bandwidth: c.bandwidthMBps * 1e6,
    jitter: c.jitter,
    queueDepth: 64,
  }
  const device = c.scsi
    ? new Scsi({ ...fields, type: 'scsi', mayBlock: true, requeueMs: 3 }, ctx)
    : new Nvme(nvmeKind.parse('d', fields), ctx)
  let nic: Nic | undefined
  if (c.nic) {
    nic = new Nic(
      {
        type: 'nic',
        name: 'eth0',
        pps: 40_000,
        packetBytes: 1500,
        batch: 16,
        arrivals: 'poisson',
        queues: 2,
        ringSize: 32,
        bufferBytes: 2048,
        bypass: false,
      },
      ctx,
    )
  }
  // Bytes mapped, as the pool saw them (the kernel copies in at every map, whatever the direction),
  // and the NIC's unmaps (each copies a packet out).
  let mappedBytes = 0
  let nicUnmaps = 0
  dma.events$.subscribe((e) => {
    if (e.type === 'map') mappedBytes += e.size
    else if (e.type === 'unmap' && e.device === 'eth0') nicUnmaps++
  })
  const ios: Array<{ bytes: number; read: boolean; issuedAt: number; atMs: number; ok: boolean }> = []
  let submitted = 0
  const meanInFlight = sampleInFlight(engine, measures, runtimeMs)
  // The rings' first fill is the interface coming up, before the run: mapped, not copied in the run.
  const beforeFill = mappedBytes
  nic?.start()
  const firstFillBytes = mappedBytes - beforeFill
  const rw = c.readShare === 100 ? 'randread' : c.readShare === 0 ? 'randwrite' : 'randrw'
  const job = parseJob(
    'j',
    { name: 'j', rw, bs: `${c.bsKiB}k`, iodepth: c.iodepth, numjobs: c.numjobs },
    { cpus: c.cpus, runtimeMs, devices: ['d0'] },
  )
  const clones: JobClone[] = []
  for (let i = 0; i < job.numjobs; i++) {
    const clone = new JobClone(job, i, i % c.cpus, device, ctx)
    const done = clone.ioDone.bind(clone)
    clone.ioDone = (io, ok) => {
      ios.push({ bytes: io.bytes, read: io.read, issuedAt: io.issuedAt, atMs: engine.clock.now(), ok })
      done(io, ok)
    }
    clones.push(clone)
  }
  const submit = device.submit.bind(device)
  device.submit = (io) => {
    submitted++
    return submit(io)
  }
  for (const clone of clones) clone.run().catch(ctx.fatal)
  await engine.clock.advanceBy(runtimeMs)
  ctx.stop()
  await engine.clock.advanceBy(2000)
  if (ctx.error !== undefined) throw ctx.error
  const endMs = engine.clock.now()
  return {
    ctx,
    dma,
    measures,
    ios,
    submitted,
    endMs,
    meanInFlight: meanInFlight(),
    mappedBytes,
    firstFillBytes,
    nicUnmaps,
  }
}

const PROPS = { numRuns: 25, seed: 42 }

describe('the cost models keep the laws of queueing', () => {
  it('every submitted I/O completes or fails, and a run with no error leaves nothing mapped', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const r = await run(c, 20)
        expect(r.ios.length).toBe(r.submitted)
        expect(r.measures.inFlight).toBe(0)
        if (!c.nic) expect(r.dma.stats().liveMappings).toBe(0)
      }),
      PROPS,
    )
  })

  it('no I/O completes before its minimum service time', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const r = await run(c, 20)
        const perUs = c.bandwidthMBps
        for (const io of r.ios.filter((x) => x.ok)) {
          const first = Math.min(io.bytes, c.stripeKiB * 1024)
          // Submission + copy in, one chunk's latency, that chunk on the link, then the whole
          // command's bytes on the link at least, and the completion.
          const copyUs = (io.bytes / c.vcpu.copyBandwidth) * 1e6
          const minUs =
            c.vcpu.submitUs +
            copyUs +
            Math.max(c.latencyUs * (1 - c.jitter) + first / perUs, io.bytes / perUs) +
            c.vcpu.completeUs
          expect(io.atMs - io.issuedAt).toBeGreaterThanOrEqual(minUs / 1000 - 1e-9)
        }
      }),
      PROPS,
    )
  })

  it('no vCPU is busy for longer than the run lasted', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const r = await run(c, 20)
        for (const busy of r.ctx.vcpus.busyUs) expect(busy).toBeLessThanOrEqual(r.endMs * 1000 + 1e-6)
      }),
      PROPS,
    )
  })

  it('bytes copied = bytes mapped (every map copies in) + bytes copied out', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const r = await run(c, 20)
        // Copied out: every read that completed (a list given up is unmapped without a copy back).
        const reads = r.ios.filter((io) => io.ok && io.read).reduce((sum, io) => sum + io.bytes, 0)
        const out = reads + r.nicUnmaps * 1500
        expect(r.ctx.vcpus.copiedBytes).toBe(r.mappedBytes - r.firstFillBytes + out)
      }),
      PROPS,
    )
  })

  it("Little's law: mean I/Os in flight = completion rate × mean latency, in a steady run", async () => {
    // Steady: no pool pressure (no failure), and latencies short against the 100 ms window (the
    // I/Os that straddle its edges are what Little's law over a finite window leaves out).
    const steady = caseArb.map((c) => ({
      ...c,
      pool: '256M',
      latencyUs: Math.min(c.latencyUs, 100),
      bandwidthMBps: Math.max(c.bandwidthMBps, 1000),
      bsKiB: Math.min(c.bsKiB, 64),
    }))
    await fc.assert(
      fc.asyncProperty(steady, async (c) => {
        const runtimeMs = 100
        const r = await run(c, runtimeMs)
        const done = r.ios.filter((io) => io.ok)
        expect(done.length).toBe(r.ios.length)
        const rate = done.filter((io) => io.atMs <= runtimeMs).length / runtimeMs
        const meanLatencyMs = done.reduce((sum, io) => sum + io.atMs - io.issuedAt, 0) / done.length
        expect(Math.abs(r.meanInFlight - rate * meanLatencyMs) / r.meanInFlight).toBeLessThan(0.1)
      }),
      { numRuns: 15, seed: 42 },
    )
  })
})

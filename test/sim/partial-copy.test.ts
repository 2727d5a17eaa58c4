import { describe, expect, it } from 'vitest'
import { Hog, Nvme, Scsi } from '../../src/sim/index.js'
import { Collector, makeContext, NVME } from './harness.js'

const KIB = 1024
/** 1 byte per µs: a copy's µs are its bytes. */
const SLOW_COPY = { copyBandwidth: 1e6, submitUs: 2, completeUs: 3 }

// dma_direct_map_sg maps entry after entry, and swiotlb_tbl_map_single copies each one in as it maps
// it (it bounces to the device whatever the direction: kernel/dma/swiotlb.c). When a later entry finds
// no room, the cleanup unmaps the earlier ones with DMA_ATTR_SKIP_CPU_SYNC: no copy back, but the copy
// in was done and its vCPU time spent.
describe('a scatter-gather list given up after some entries mapped', () => {
  it('NVMe: the submitting vCPU pays for the entries it copied in before the failure', async () => {
    // 512 KiB pool, a 1 MiB write: entries 0 and 1 map (512 KiB), entry 2 finds no room.
    const { clock, ctx, measures } = makeContext({ size: '512K', vcpu: SLOW_COPY })
    const nvme = new Nvme(NVME, ctx)
    const c = new Collector(() => clock.now())
    await Promise.all([nvme.submit(c.io(1024 * KIB, 0, false)), clock.runAll()])
    expect(c.done.map((d) => d.ok)).toEqual([false])
    expect(measures.total('ioErrors')).toBe(1)
    expect(ctx.vcpus.copiedBytes).toBe(512 * KIB)
    expect(ctx.vcpus.busyUs[0]).toBe(2 + 512 * KIB)
  })

  it('SCSI: every requeued attempt pays for its partial copy, and the last one for the whole list', async () => {
    const { clock, ctx, dma, measures } = makeContext({ size: '512K', vcpu: SLOW_COPY, cpus: 1 })
    const scsi = new Scsi({ ...NVME, type: 'scsi', name: 'sda', requeueMs: 3 }, ctx)
    const c = new Collector(() => clock.now())
    // A 256 KiB mapping held by someone else until 4 ms: the 512 KiB write maps entry 0, fails entry 1.
    const held = dma.tryMap(256 * KIB, { dir: 'to-device' })!
    clock.setTimer(4, () => held.unmap())
    await Promise.all([scsi.submit(c.io(512 * KIB, 0, false)), clock.runAll()])
    const d = measures.device('sda', 'scsi')
    expect(c.done.map((x) => x.ok)).toEqual([true])
    // Each failed attempt copied 256 KiB (262 ms at 1 byte/µs): the requeue 3 ms after it finds the
    // holder gone, since its own copy kept the vCPU busy past 4 ms.
    expect(d.requeues).toBe(1)
    expect(ctx.vcpus.copiedBytes).toBe(256 * KIB + 512 * KIB)
    expect(ctx.vcpus.busyUs[0]).toBe(2 + 256 * KIB + 2 + 512 * KIB + 3)
  })

  it('a failed dma-buf import pays for the entries it copied before the one that found no room', async () => {
    const { clock, ctx, measures } = makeContext({ size: '1M', endMs: 1, vcpu: SLOW_COPY })
    const hog = new Hog(
      { name: 'buf', bytes: 1536 * KIB, atMs: 0, holdMs: 10, retryMs: undefined, cpu: 0 },
      ctx,
    )
    hog.start()
    await clock.runAll()
    expect(measures.importFailures).toBe(1)
    expect(ctx.vcpus.copiedBytes).toBe(1024 * KIB)
    expect(ctx.vcpus.busyUs[0]).toBe(1024 * KIB)
  })
})

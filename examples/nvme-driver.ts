// A small NVMe driver model embedded in a simulation. Each CPU has one submission queue whose depth is a
// p-limit; a command maps its scatter-gather list (entry 0 with DMA_ATTR_MAY_BLOCK), waits for the
// device, then unmaps in its completion handler. fio-like jobs from the simulation kit drive it, on a
// bounce pool far smaller than the queues could fill, under two policies: the kernel today ('fail': a
// full pool fails the map, fio stops at the first I/O error) and the blk-mq-like throttle ('throttle').
import { formatBytes, Histogram, Swiotlb } from 'dma-throttle'
import {
  type BlockDevice,
  Engine,
  type Io,
  JobClone,
  MapOptionSet,
  Measures,
  mapSg,
  type PolicyName,
  parseSpec,
  policyOptions,
  SimContext,
} from 'dma-throttle/sim'
import pLimit from 'p-limit'

class TinyNvme implements BlockDevice {
  readonly polled = false
  readonly clat = new Histogram(1000) // completion latency, ms kept at µs precision
  errors = 0
  readonly #queues: Array<{ limit: ReturnType<typeof pLimit>; options: MapOptionSet }> = []

  constructor(
    readonly name: string,
    queueDepth: number,
    readonly latencyMs: number,
    private readonly ctx: SimContext,
  ) {
    for (let cpu = 0; cpu < ctx.cpus; cpu++)
      this.#queues.push({ limit: pLimit(queueDepth), options: new MapOptionSet(name, cpu, true) })
  }

  /** Resolves once the command is dispatched (mapped and sent) or failed; completes later. */
  submit(io: Io): Promise<void> {
    const q = this.#queues[io.cpu % this.#queues.length]!
    return new Promise<void>((dispatched) => {
      q.limit(async () => {
        const ok = await mapSg(this.ctx, io, q.options) // may sleep in the throttle's queue
        dispatched()
        if (!ok) {
          this.errors++ // the driver reports an I/O error; fio stops that job
          io.owner.ioDone(io, false)
          return
        }
        await this.ctx.engine.sleep(this.latencyMs + io.bytes / 2e6) // 2 GB/s per command
        io.unmapAll() // the completion handler
        this.clat.record(this.ctx.engine.clock.now() - io.issuedAt)
        io.owner.ioDone(io, true)
      }).catch(this.ctx.fatal)
    })
  }

  poll(): Promise<void> {
    return Promise.resolve() // interrupt-driven: completions are signalled
  }
}

const spec = parseSpec({
  name: 'tiny-nvme',
  cpus: 8,
  pool: '16M',
  runtime: '200ms',
  devices: [{ name: 'nvme0', type: 'nvme' }],
  jobs: [{ name: 'fio', rw: 'randread', bssplit: '64k/50:256k/50', iodepth: 32, numjobs: 8 }],
})

const n = (x: number) => x.toLocaleString('en-US')

for (const policy of ['fail', 'throttle'] as PolicyName[]) {
  const engine = new Engine()
  const dma = new Swiotlb(policyOptions(policy, spec.pool, spec.tuning, engine.clock))
  const ctx = new SimContext(engine, dma, new Measures(), 1, spec.cpus, spec.runtimeMs)
  const nvme = new TinyNvme('nvme0', 32, 0.1, ctx)
  const clones: Promise<void>[] = []
  for (const job of spec.jobs)
    for (let i = 0; i < job.numjobs; i++) clones.push(new JobClone(job, i, i % spec.cpus, nvme, ctx).run())
  const done = Promise.all(clones)
  await engine.clock.runAll()
  await done
  const s = dma.stats()
  const seconds = spec.runtimeMs / 1000
  console.log(
    `${policy.padEnd(8)} ${n(nvme.clat.count)} I/Os, ${nvme.errors} I/O errors, ` +
      `${n(Math.round(nvme.clat.count / seconds))} IOPS, clat p99 ${nvme.clat.percentile(99).toFixed(2)} ms, ` +
      `hiwater ${formatBytes(s.hiwater * 2048)} of ${formatBytes(s.nslabs * 2048)}, ${n(s.throttle.highCount)} maps waited`,
  )
}

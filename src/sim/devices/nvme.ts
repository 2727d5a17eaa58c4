import pLimit, { type LimitFunction } from 'p-limit'
import type { SimContext } from '../context.js'
import type { Io } from '../io.js'
import type { DeviceMeasures } from '../measures.js'
import { bool, checkKeys, str } from '../workloads/values.js'
import { BLOCK_KEYS, type BlockFields, parseBlockFields } from './block-fields.js'
import type { BlockDevice } from './device.js'
import type { BlockDeviceKind } from './kind.js'
import { deviceMedia, type Media } from './media.js'
import { MapOptionSet, mapSg } from './sg-map.js'

/** An NVMe controller: one submission/completion queue pair per CPU; `queueDepth` is per queue. */
export interface NvmeSpec extends BlockFields {
  type: 'nvme'
  name: string
  /** Polled queues: completions wait in the CQ until the submitting CPU polls (io_uring IOPOLL). */
  polling: boolean
}

/** A completion sitting in a polled queue's CQ, and how to give its tag back. */
interface Completion {
  io: Io
  release: () => void
}

/** One submission/completion queue pair, bound to one CPU. Its queue depth is a p-limit. */
class NvmeQueue {
  readonly limit: LimitFunction
  readonly options: MapOptionSet
  cq: Completion[] = []
  pollers: Array<() => void> = []
  constructor(
    spec: NvmeSpec,
    readonly cpu: number,
  ) {
    this.limit = pLimit(spec.queueDepth)
    this.options = new MapOptionSet(spec.name, cpu, spec.mayBlock)
  }
}

/**
 * An NVMe controller with one queue per CPU. A command holds its queue's tag from dispatch until its
 * completion is handled; its data is mapped at dispatch (entry 0 may block) and unmapped in the
 * completion handler. A map failure is an I/O error (the driver does not requeue), reported to the
 * submitter one device latency later.
 *
 * With `polling`, completions are not signalled: they wait in the CQ until a thread on that CPU calls
 * `poll`. A submitter asleep in `map` polls nothing, so the mappings its own completions hold are not
 * freed — Robin Murphy's deadlock.
 */
export class Nvme implements BlockDevice {
  readonly polled: boolean
  readonly #queues: NvmeQueue[] = []
  readonly #media: Media
  readonly #seen: DeviceMeasures

  constructor(
    readonly spec: NvmeSpec,
    private readonly ctx: SimContext,
  ) {
    this.polled = spec.polling
    for (let cpu = 0; cpu < ctx.cpus; cpu++) this.#queues.push(new NvmeQueue(spec, cpu))
    this.#media = deviceMedia(ctx, spec)
    this.#seen = ctx.measures.device(spec.name, spec.type)
  }

  get name(): string {
    return this.spec.name
  }

  submit(io: Io): Promise<void> {
    const q = this.#queues[io.cpu % this.#queues.length]!
    return new Promise<void>((dispatched) => {
      q.limit(() => this.#command(q, io, dispatched)).catch(this.ctx.fatal)
    })
  }

  /** The command's life under its tag: map, dispatch, complete. Settles when the tag is free again. */
  #command(q: NvmeQueue, io: Io, dispatched: () => void): Promise<void> {
    return mapSg(this.ctx, io, q.options).then((ok) => this.#dispatch(q, io, dispatched, ok))
  }

  /**
   * After the map: the submitting vCPU runs the rest of the submission and copies the data into the
   * bounce buffers (whatever the direction, as the kernel's map does), then the command goes out.
   */
  #dispatch(q: NvmeQueue, io: Io, dispatched: () => void, ok: boolean): Promise<void> {
    const { vcpus, measures, engine } = this.ctx
    const work = vcpus.spec.submitUs + vcpus.copy(ok ? io.bytes : io.copiedBeforeFailure)
    return new Promise<void>((release) => {
      vcpus.run(io.cpu, work, () => {
        dispatched()
        if (!ok) {
          release()
          // queue_rq fails the request: it completes with an error one device latency later.
          engine.after(this.spec.latencyUs / 1000, () => {
            measures.failed(this.#seen)
            io.owner.ioDone(io, false)
          })
          return
        }
        measures.mapped(this.#seen, io.mapWaitMs, io.maps[0]!.waitedMs > 0)
        const tick = this.#media.completionTick(io.bytes)
        engine.atTick(
          tick,
          this.polled ? () => this.#arrive(q, io, release) : () => this.#interrupt(io, release),
        )
      })
    })
  }

  /** The interrupt: the submitting vCPU handles the completion (and copies a read back) at unmap. */
  #interrupt(io: Io, release: () => void): void {
    this.ctx.vcpus.run(io.cpu, this.#completionWork(io), () => {
      this.#finish(io)
      release()
    })
  }

  #completionWork(io: Io): number {
    const vcpus = this.ctx.vcpus
    return vcpus.spec.completeUs + (io.read ? vcpus.copy(io.bytes) : 0)
  }

  /** The completion handler: unmap, account, tell the submitter. */
  #finish(io: Io): void {
    io.unmapAll()
    const now = this.ctx.engine.clock.now()
    this.ctx.measures.completed(this.#seen, io.bytes, now, now - io.issuedAt)
    io.owner.ioDone(io, true)
  }

  #arrive(q: NvmeQueue, io: Io, release: () => void): void {
    q.cq.push({ io, release })
    if (q.pollers.length === 0) return
    // A thread spinning in poll sees the entry at once.
    const pollers = q.pollers
    q.pollers = []
    this.#reap(q, () => {
      for (const wake of pollers) wake()
    })
  }

  /** Reaps the CQ on its vCPU: the completions' work runs there, then `done`. */
  #reap(q: NvmeQueue, done: () => void): void {
    const cq = q.cq
    q.cq = []
    let work = 0
    for (const c of cq) work += this.#completionWork(c.io)
    this.ctx.vcpus.run(q.cpu, work, () => {
      for (const c of cq) {
        this.#finish(c.io)
        c.release()
      }
      done()
    })
  }

  poll(cpu: number): Promise<void> {
    const q = this.#queues[cpu % this.#queues.length]!
    return new Promise<void>((wake) => {
      if (q.cq.length !== 0) this.#reap(q, wake)
      else q.pollers.push(wake)
    })
  }
}

export const nvmeKind: BlockDeviceKind<NvmeSpec> = {
  type: 'nvme',
  blockIo: true,
  parse(field, raw) {
    const name = str(`${field}.name`, raw['name'])
    checkKeys(field, raw, [...BLOCK_KEYS, 'polling'])
    return {
      type: 'nvme',
      name,
      ...parseBlockFields(field, raw, {
        queueDepth: 1024,
        latencyUs: 60,
        channels: 11,
        stripeBytes: '32K',
        bandwidth: '2G',
      }),
      polling: bool(`${field}.polling`, raw['polling'] ?? false),
    }
  },
  create: (spec, ctx) => new Nvme(spec, ctx),
}

import pLimit, { type LimitFunction } from 'p-limit'
import type { SimContext } from '../context.js'
import type { Io } from '../io.js'
import type { DeviceMeasures } from '../measures.js'
import { bool, checkKeys, str } from '../workloads/values.js'
import { BLOCK_KEYS, type BlockFields, parseBlockFields } from './block-fields.js'
import type { BlockDevice } from './device.js'
import type { BlockDeviceKind } from './kind.js'
import { deviceLink, type Link } from './link.js'
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
  constructor(spec: NvmeSpec, cpu: number) {
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
  readonly #link: Link
  readonly #seen: DeviceMeasures

  constructor(
    readonly spec: NvmeSpec,
    private readonly ctx: SimContext,
  ) {
    this.polled = spec.polling
    for (let cpu = 0; cpu < ctx.cpus; cpu++) this.#queues.push(new NvmeQueue(spec, cpu))
    this.#link = deviceLink(ctx, spec)
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

  #dispatch(q: NvmeQueue, io: Io, dispatched: () => void, ok: boolean): Promise<void> | undefined {
    dispatched()
    const measures = this.ctx.measures
    if (!ok) {
      // queue_rq fails the request: it completes with an error one device latency later.
      this.ctx.engine.after(this.spec.latencyUs / 1000, () => {
        measures.failed(this.#seen)
        io.owner.ioDone(io, false)
      })
      return undefined
    }
    measures.mapped(this.#seen, io.mapWaitMs, io.maps[0]!.waitedMs > 0)
    const tick = this.#link.completionTick(io.bytes)
    return new Promise<void>((release) => {
      this.ctx.engine.atTick(
        tick,
        this.polled
          ? () => this.#arrive(q, io, release)
          : () => {
              this.#finish(io)
              release()
            },
      )
    })
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
    this.#reap(q)
    for (const wake of pollers) wake()
  }

  #reap(q: NvmeQueue): void {
    const cq = q.cq
    q.cq = []
    for (const c of cq) {
      this.#finish(c.io)
      c.release()
    }
  }

  poll(cpu: number): Promise<void> {
    const q = this.#queues[cpu % this.#queues.length]!
    if (q.cq.length !== 0) {
      this.#reap(q)
      return Promise.resolve()
    }
    return new Promise<void>((wake) => q.pollers.push(wake))
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
      ...parseBlockFields(field, raw, { queueDepth: 1024, latencyUs: 80, bandwidth: '2G' }),
      polling: bool(`${field}.polling`, raw['polling'] ?? false),
    }
  },
  create: (spec, ctx) => new Nvme(spec, ctx),
}

import pLimit, { type LimitFunction } from 'p-limit'
import type { SimContext } from '../context.js'
import type { Io } from '../io.js'
import type { DeviceMeasures } from '../measures.js'
import { checkKeys, num, str } from '../workloads/values.js'
import { BLOCK_KEYS, type BlockFields, parseBlockFields } from './block-fields.js'
import type { BlockDevice } from './device.js'
import type { BlockDeviceKind } from './kind.js'
import { deviceMedia, type Media } from './media.js'
import { MapOptionSet, mapSg } from './sg-map.js'

/** A storvsc-like SCSI host: one queue; a map failure requeues the command after `requeueMs`. */
export interface ScsiSpec extends BlockFields {
  type: 'scsi'
  name: string
  requeueMs: number
}

/**
 * A storvsc-like SCSI host: one queue of `queueDepth` commands (a p-limit) shared by all CPUs.
 * When a map fails, queuecommand answers "busy": the command gives its tag back and is requeued after
 * `requeueMs` (blk-mq's resource delay), as often as needed. No I/O error, but the latency grows.
 */
export class Scsi implements BlockDevice {
  readonly polled = false
  readonly #limit: LimitFunction
  readonly #options: MapOptionSet[] = []
  readonly #media: Media
  readonly #seen: DeviceMeasures

  constructor(
    readonly spec: ScsiSpec,
    private readonly ctx: SimContext,
  ) {
    this.#limit = pLimit(spec.queueDepth)
    for (let cpu = 0; cpu < ctx.cpus; cpu++)
      this.#options.push(new MapOptionSet(spec.name, cpu, spec.mayBlock))
    this.#media = deviceMedia(ctx, spec)
    this.#seen = ctx.measures.device(spec.name, spec.type)
  }

  get name(): string {
    return this.spec.name
  }

  submit(io: Io): Promise<void> {
    return new Promise<void>((dispatched) => this.#attempt(io, dispatched))
  }

  #attempt(io: Io, dispatched: (() => void) | undefined): void {
    this.#limit(() => this.#command(io, dispatched)).catch(this.ctx.fatal)
  }

  async #command(io: Io, dispatched: (() => void) | undefined): Promise<void> {
    const ok = await mapSg(this.ctx, io, this.#options[io.cpu % this.#options.length]!)
    const { vcpus, measures, engine } = this.ctx
    // The rest of the submission, and the copy into the bounce buffers, on the submitting vCPU.
    const work = vcpus.spec.submitUs + vcpus.copy(ok ? io.bytes : io.copiedBeforeFailure)
    return new Promise<void>((release) => {
      vcpus.run(io.cpu, work, () => {
        // The block layer took the request: the submitter goes on even if it is requeued.
        dispatched?.()
        if (!ok) {
          this.#seen.requeues++
          release()
          engine.after(this.spec.requeueMs, () => this.#attempt(io, undefined))
          return
        }
        measures.mapped(this.#seen, io.mapWaitMs, io.maps[0]!.waitedMs > 0)
        engine.atTick(this.#media.completionTick(io.bytes), () => {
          const done = vcpus.spec.completeUs + (io.read ? vcpus.copy(io.bytes) : 0)
          vcpus.run(io.cpu, done, () => {
            io.unmapAll()
            const now = engine.clock.now()
            measures.completed(this.#seen, io.bytes, now, now - io.issuedAt)
            io.owner.ioDone(io, true)
            release()
          })
        })
      })
    })
  }

  poll(): Promise<void> {
    return Promise.reject(new Error(`${this.spec.name} is interrupt-driven: nothing to poll`))
  }
}

export const scsiKind: BlockDeviceKind<ScsiSpec> = {
  type: 'scsi',
  blockIo: true,
  parse(field, raw) {
    const name = str(`${field}.name`, raw['name'])
    checkKeys(field, raw, [...BLOCK_KEYS, 'requeueMs'])
    return {
      type: 'scsi',
      name,
      ...parseBlockFields(field, raw, {
        queueDepth: 256,
        latencyUs: 500,
        channels: 32,
        stripeBytes: '256K',
        bandwidth: '1G',
      }),
      requeueMs: num(`${field}.requeueMs`, raw['requeueMs'] ?? 3, 0.001),
    }
  },
  create: (spec, ctx) => new Scsi(spec, ctx),
}

import type { Mapping } from '../../index.js'
import type { SimContext } from '../context.js'
import type { DeviceMeasures } from '../measures.js'
import { checkKeys, int, num, str } from '../workloads/values.js'
import type { TrafficDeviceKind } from './kind.js'
import { MapOptionSet } from './sg-map.js'

/** A NIC: packets arrive in NAPI batches and are mapped non-blocking (softirq); a failure drops the packet. */
export interface NicSpec {
  type: 'nic'
  name: string
  /** Packets per second. */
  pps: number
  packetBytes: number
  /** How long a packet's buffer stays mapped. */
  holdUs: number
  /** Packets per NAPI poll. */
  batch: number
}

/**
 * A NIC in softirq context: packets arrive in NAPI batches spread over the CPUs (RSS), each buffer is
 * mapped non-blocking (`tryMap`) and held for `holdUs`. A map that fails drops the packet: an I/O error.
 * Each packet counts as one I/O.
 */
export class Nic {
  readonly #options: MapOptionSet[] = []
  readonly #seen: DeviceMeasures
  /** Ticks between batches (fractional: batches land on the nearest tick of an exact schedule). */
  readonly #intervalTicks: number
  #nextTick = 0
  #batchNo = 0

  constructor(
    readonly spec: NicSpec,
    private readonly ctx: SimContext,
  ) {
    for (let cpu = 0; cpu < ctx.cpus; cpu++) this.#options.push(new MapOptionSet(spec.name, cpu, false))
    this.#seen = ctx.measures.device(spec.name, spec.type)
    this.#intervalTicks = (1e6 * spec.batch) / spec.pps
  }

  get name(): string {
    return this.spec.name
  }

  /** Starts the traffic; it stops by itself when the run's runtime is over. */
  start(): void {
    this.#nextTick = this.ctx.engine.nowTick()
    this.#schedule()
  }

  #schedule(): void {
    this.#nextTick += this.#intervalTicks
    this.ctx.engine.atTick(Math.round(this.#nextTick), () => this.#batch())
  }

  #batch(): void {
    if (!this.ctx.running) return
    const { dma, engine, measures } = this.ctx
    const options = this.#options[this.#batchNo++ % this.#options.length]!.readNow
    const held: Mapping[] = []
    for (let i = 0; i < this.spec.batch; i++) {
      const m = dma.tryMap(this.spec.packetBytes, options)
      if (m === undefined) measures.failed(this.#seen)
      else held.push(m)
    }
    if (held.length !== 0) {
      engine.after(this.spec.holdUs / 1000, () => {
        for (const m of held) {
          m.unmap()
          measures.completedUntimed(this.#seen, this.spec.packetBytes, engine.clock.now())
        }
      })
    }
    this.#schedule()
  }
}

export const nicKind: TrafficDeviceKind<NicSpec> = {
  type: 'nic',
  blockIo: false,
  parse(field, raw) {
    const name = str(`${field}.name`, raw['name'])
    checkKeys(field, raw, ['name', 'type', 'pps', 'packetBytes', 'holdUs', 'batch'])
    return {
      type: 'nic',
      name,
      pps: num(`${field}.pps`, raw['pps'] ?? 100_000, 1),
      packetBytes: int(`${field}.packetBytes`, raw['packetBytes'] ?? 1500, 1, 256 * 1024),
      holdUs: num(`${field}.holdUs`, raw['holdUs'] ?? 100, 0),
      batch: int(`${field}.batch`, raw['batch'] ?? 64, 1, 4096),
    }
  },
  create: (spec, ctx) => new Nic(spec, ctx),
}

import type { Mapping } from '../../index.js'
import type { SimContext } from '../context.js'
import { SpecError } from '../errors.js'
import type { DeviceMeasures } from '../measures.js'
import type { Rng } from '../rng.js'
import { exponential } from '../workloads/arrivals.js'
import { bool, checkKeys, int, num, str } from '../workloads/values.js'
import type { TrafficDeviceKind } from './kind.js'
import { MapOptionSet } from './sg-map.js'

/** A NIC's receive side: RSS queues, each with a ring of receive buffers mapped in advance. */
export interface NicSpec {
  type: 'nic'
  name: string
  /** Packets per second, over all queues. */
  pps: number
  packetBytes: number
  /** Packets per NAPI poll. */
  batch: number
  /** Gaps between batches: 'poisson' (exponential, drawn from the seed; default) or 'periodic'. */
  arrivals: 'poisson' | 'periodic'
  /** Receive queues (RSS), one per CPU from CPU 0; each rotates through its batches. */
  queues: number
  /** Receive buffers per queue: each stays mapped while it waits in the ring. */
  ringSize: number
  /** Bytes of one receive buffer (what is mapped for it). */
  bufferBytes: number
  /**
   * The driver receives into its own pre-decrypted buffers and never maps through swiotlb (Hyper-V
   * netvsc's receive buffer): packets cost CPU time only.
   */
  bypass: boolean
}

/** One receive queue: its ring of mapped buffers and its CPU. */
class RxQueue {
  readonly ring: Mapping[] = []
  /** Buffers the ring lacks (a refill that found no room), tried again at the next poll. */
  missing = 0
  constructor(
    readonly cpu: number,
    readonly options: MapOptionSet,
  ) {}
}

/**
 * A NIC's receive side in softirq context. Each queue's ring holds `ringSize` buffers, mapped
 * non-blocking (`tryMap`) when the ring is filled and kept mapped while they wait: that is what a NIC
 * holds in the pool, whatever the traffic. Packets arrive in NAPI batches, one queue after another
 * (RSS). Each packet lands in a ring buffer; the poll, on the queue's vCPU, unmaps it (copying the
 * packet out), then refills: it maps fresh buffers for the ring's holes, stopping at the first that
 * finds no room, and copies each one mapped in (as every map does); a buffer enters the ring once
 * copied. A hole left by a refill is retried at the next poll. A packet that finds the ring empty is
 * dropped: an I/O error. Each packet counts as one I/O.
 *
 * The first fill is the interface coming up (ndo_open), at boot, before the run: its buffers are in
 * the rings and hold their slots from time 0, and its copies cost no vCPU time in the run.
 */
export class Nic {
  readonly #queues: RxQueue[] = []
  readonly #seen: DeviceMeasures
  /** Ticks between batches (fractional: batches land on the nearest tick of an exact schedule). */
  readonly #intervalTicks: number
  #nextTick = 0
  #batchNo = 0
  readonly #rng: Rng

  constructor(
    readonly spec: NicSpec,
    private readonly ctx: SimContext,
  ) {
    for (let q = 0; q < spec.queues; q++) {
      const cpu = q % ctx.cpus
      this.#queues.push(new RxQueue(cpu, new MapOptionSet(spec.name, cpu, false)))
    }
    this.#seen = ctx.measures.device(spec.name, spec.type)
    this.#intervalTicks = (1e6 * spec.batch) / spec.pps
    this.#rng = ctx.rng(`arrivals:${spec.name}`)
  }

  get name(): string {
    return this.spec.name
  }

  /** Fills the rings and starts the traffic; it stops by itself when the run's runtime is over. */
  start(): void {
    if (!this.spec.bypass)
      for (const q of this.#queues) for (const m of this.#mapFresh(q, this.spec.ringSize)) q.ring.push(m)
    this.#nextTick = this.ctx.engine.nowTick()
    this.#schedule()
  }

  /** Buffers in all rings now, ready for packets (a refill's buffers enter once copied in). */
  get mappedBuffers(): number {
    let n = 0
    for (const q of this.#queues) n += q.ring.length
    return n
  }

  #schedule(): void {
    const gap = this.#intervalTicks
    this.#nextTick += this.spec.arrivals === 'poisson' ? exponential(this.#rng, gap) : gap
    this.ctx.engine.atTick(Math.round(this.#nextTick), () => this.#batch())
  }

  #batch(): void {
    if (!this.ctx.running) return
    const { measures, vcpus, engine } = this.ctx
    const q = this.#queues[this.#batchNo++ % this.#queues.length]!
    const { batch, packetBytes, bypass } = this.spec
    // The NIC writes each packet into the next ring buffer; a packet without one is dropped.
    const filled: Mapping[] = []
    let dropped = 0
    for (let i = 0; i < batch; i++) {
      if (bypass) continue
      const m = q.ring.pop()
      if (m === undefined) dropped++
      else filled.push(m)
    }
    for (let i = 0; i < dropped; i++) measures.failed(this.#seen)
    const received = bypass ? batch : filled.length
    // The poll on the queue's vCPU: per packet the completion path and the copy out; then the refill.
    let work = received * vcpus.spec.completeUs
    if (!bypass) work += vcpus.copy(received * packetBytes)
    vcpus.run(q.cpu, work, () => {
      const now = engine.clock.now()
      for (const m of filled) m.unmap()
      for (let i = 0; i < received; i++) measures.completedUntimed(this.#seen, packetBytes, now)
      if (!bypass) this.#refill(q, filled.length + q.missing)
    })
    this.#schedule()
  }

  /**
   * The poll's refill of `n` holes: the buffers it maps are copied in on the queue's vCPU, then enter
   * the ring. Only what was mapped is copied, now: a hole left is copied when a later poll maps it.
   */
  #refill(q: RxQueue, n: number): void {
    const fresh = this.#mapFresh(q, n)
    if (fresh.length === 0) return
    const vcpus = this.ctx.vcpus
    vcpus.run(q.cpu, vcpus.copy(fresh.length * this.spec.bufferBytes), () => {
      for (const m of fresh) q.ring.push(m)
    })
  }

  /** Maps up to `n` buffers for `q`, stopping at the first that finds no room; the rest stay missing. */
  #mapFresh(q: RxQueue, n: number): Mapping[] {
    const { dma } = this.ctx
    const fresh: Mapping[] = []
    while (fresh.length < n) {
      const m = dma.tryMap(this.spec.bufferBytes, q.options.readNow)
      if (m === undefined) break
      fresh.push(m)
    }
    q.missing = n - fresh.length
    return fresh
  }
}

export const nicKind: TrafficDeviceKind<NicSpec> = {
  type: 'nic',
  blockIo: false,
  parse(field, raw) {
    const name = str(`${field}.name`, raw['name'])
    checkKeys(field, raw, [
      'name',
      'type',
      'pps',
      'packetBytes',
      'batch',
      'arrivals',
      'queues',
      'ringSize',
      'bufferBytes',
      'bypass',
    ])
    const packetBytes = int(`${field}.packetBytes`, raw['packetBytes'] ?? 1500, 1, 256 * 1024)
    const bufferBytes = int(`${field}.bufferBytes`, raw['bufferBytes'] ?? 2048, 1, 256 * 1024)
    if (bufferBytes < packetBytes)
      throw new SpecError(`${field}.bufferBytes`, `at least packetBytes (${packetBytes})`, bufferBytes)
    return {
      type: 'nic',
      name,
      pps: num(`${field}.pps`, raw['pps'] ?? 100_000, 1),
      packetBytes,
      batch: int(`${field}.batch`, raw['batch'] ?? 64, 1, 4096),
      arrivals: arrivals(`${field}.arrivals`, raw['arrivals']),
      queues: int(`${field}.queues`, raw['queues'] ?? 4, 1, 1024),
      ringSize: int(`${field}.ringSize`, raw['ringSize'] ?? 256, 1, 65536),
      bufferBytes,
      bypass: bool(`${field}.bypass`, raw['bypass'] ?? false),
    }
  },
  create: (spec, ctx) => new Nic(spec, ctx),
}

function arrivals(field: string, value: unknown): NicSpec['arrivals'] {
  if (value === undefined || value === 'poisson') return 'poisson'
  if (value === 'periodic') return 'periodic'
  throw new SpecError(field, "'poisson' or 'periodic'", value)
}

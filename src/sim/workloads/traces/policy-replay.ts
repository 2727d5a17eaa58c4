import {
  type MapOptions,
  type Mapping,
  MappingTooLargeError,
  SLOT_SIZE,
  Swiotlb,
  SwiotlbFullError,
  ThrottleTimeoutError,
} from '../../../index.js'
import { debugfsUsed } from '../../debugfs-used.js'
import { type DeviceMeasures, Measures } from '../../measures.js'
import { type PolicyInput, policyByName, policyOptions } from '../../policies.js'
import { buildPolicyResult } from '../../policy-result.js'
import { PoolBytesTracker } from '../../pool-bytes.js'
import type { PolicyResult } from '../../result.js'
import {
  DEFAULT_MEMORY_BYTES,
  DEFAULT_TUNING,
  type PolicyTuning,
  type PoolSpec,
  type SimSpec,
} from '../../spec.js'
import { DEFAULT_VCPU } from '../../vcpus.js'
import { type TraceEvent, type TraceMap, TraceOptionError } from './record.js'
import { ReplayClock } from './replay-clock.js'

/** Which maps may wait when the trace cannot say (no DMA_ATTR_MAY_BLOCK in the kernel, blkparse, ftrace). */
export type MayBlockRule = 'all' | 'none' | readonly string[]

/** One map's replay, from its request to its unmap. */
class Request {
  maps: Mapping[] | undefined
  /** Time spent waiting for admission, ms. */
  waitedMs = 0
  /** When the trace unmapped it, ms (capture, blkparse); the replay unmaps it that much later than its wait. */
  traceUnmapAt: number | undefined
  /** How long it is held from admission, ms (ftrace: the trace has no unmap). */
  holdMs: number | undefined
  state: 'waiting' | 'mapped' | 'failed' | 'done' = 'waiting'
  constructor(
    readonly event: TraceMap,
    readonly requestAt: number,
    readonly device: DeviceMeasures,
    readonly bytes: number,
  ) {}
}

/** What one policy's replay reports besides its PolicyResult. */
export interface PairingCounts {
  /** Maps whose unmap never came, per device (the trace ended, or a lost event). */
  maps: Map<string, number>
  /** Unmaps of no map in the trace, per device (the trace began after the map, or a lost event). */
  unmaps: Map<string, number>
  /** Maps that failed in the traced kernel, per device. */
  traceFailures: Map<string, number>
}

export interface PolicyReplayOptions {
  tuning?: PolicyTuning
  mayBlock?: MayBlockRule
  /** Interval of the sampled hiwater (what a debugfs poller sees), ms. Default 1000. */
  sampleMs?: number
  /** Stop at the first I/O error (sizing needs no more than "not healthy"). */
  stopOnError?: boolean
  /**
   * A map that has waited this long without its slots fails (an I/O error of its device, as if its
   * driver gave up): the bound on the wait that `size <trace> --max-wait-ms` sizes for. Default: none.
   */
  maxWaitMs?: number
  /** Called when a map succeeds or fails (tests). */
  onMap?: (e: TraceMap, maps: readonly Mapping[] | undefined) => void
}

/**
 * Replays a trace's events against one policy's Swiotlb, on a clock of its own.
 *
 * The model: every map keeps its arrival time, bytes, direction, device and hold time. A map that finds
 * no room fails (an I/O error of its device) unless it may block under a throttling policy: then it
 * waits, and its unmap moves by the same delay, so that it is still held as long as in the trace. A
 * delayed map delays only its own I/O: the device's later maps arrive when the trace says, as if the
 * device had other queues or requests to go on with (docs/simulation.md, "Replaying a trace").
 * Entry 0 of a block I/O may block, its other entries never do (RFC patch 2, as sg-map.ts).
 */
export class PolicyReplay {
  readonly clock = new ReplayClock()
  readonly dma: Swiotlb
  readonly measures = new Measures()
  readonly counts: PairingCounts = { maps: new Map(), unmaps: new Map(), traceFailures: new Map() }
  readonly #live = new Map<string, Request>()
  readonly #queues: boolean
  readonly #mayBlock: MayBlockRule
  readonly #poolBytes: PoolBytesTracker | undefined
  readonly #sampler: { unsubscribe(): void }
  #sampledUsed = 0
  #lastAt = 0
  /** True once the replay has nothing more to learn (stopOnError and an error). */
  done = false

  constructor(
    readonly policy: PolicyInput,
    readonly pool: PoolSpec,
    readonly options: PolicyReplayOptions = {},
  ) {
    const definition = policyByName(policy)
    const wait = options.maxWaitMs
    if (wait !== undefined && !(typeof wait === 'number' && wait >= 0 && wait < Number.POSITIVE_INFINITY)) {
      throw new TraceOptionError(`Expected \`maxWaitMs\` to be a number of ms >= 0, got ${String(wait)}`)
    }
    this.dma = new Swiotlb(policyOptions(definition.name, pool, options.tuning ?? DEFAULT_TUNING, this.clock))
    this.#queues = definition.queues
    this.#mayBlock = options.mayBlock ?? 'all'
    this.#poolBytes = definition.grows ? new PoolBytesTracker(this.dma) : undefined
    // A debugfs poller: io_tlb_used counts live transient pools (see debugfsUsed).
    this.#sampler = this.dma.usage$(options.sampleMs ?? 1000).subscribe((s) => {
      const used = debugfsUsed(s)
      if (used > this.#sampledUsed) this.#sampledUsed = used
    })
  }

  /** Moves this replay's clock to `atMs`: a promise when timers were due on the way. */
  advanceTo(atMs: number): Promise<void> | undefined {
    this.#lastAt = atMs
    return this.clock.advanceTo(atMs)
  }

  /** Applies one event at the current time. */
  apply(e: TraceEvent): void {
    if (e.kind === 'map') this.#map(e)
    else if (e.kind === 'unmap') this.#unmap(e.key, e.device)
    else bump(this.counts.traceFailures, e.device)
  }

  #mayBlockFor(e: TraceMap): boolean {
    if (e.mayBlock !== undefined) return e.mayBlock
    const rule = this.#mayBlock
    return rule === 'all' ? true : rule === 'none' ? false : rule.includes(e.device)
  }

  #map(e: TraceMap): void {
    const now = this.clock.now()
    const device = this.measures.device(e.device, 'trace')
    let bytes = 0
    for (const s of e.sizes) bytes += s
    const r = new Request(e, now, device, bytes)
    if (e.holdNs !== undefined) r.holdMs = e.holdNs / 1e6
    else {
      const old = this.#live.get(e.key)
      if (old !== undefined) {
        // The key came again before its unmap: the unmap was lost. Release the old one now.
        bump(this.counts.maps, old.event.device)
        this.#release(old)
      }
      this.#live.set(e.key, r)
    }
    const options: MapOptions = { dir: e.dir, device: e.device, cpu: e.cpu < 0 ? 0 : e.cpu }
    if (!this.#queues || !this.#mayBlockFor(e)) {
      this.#admitted(r, this.#tryMap(e.sizes[0]!, options))
      return
    }
    options.mayBlock = true
    if (this.options.maxWaitMs !== undefined) options.timeoutMs = this.options.maxWaitMs
    this.measures.inFlight++
    this.dma.map(e.sizes[0]!, options).then(
      (m) => {
        this.measures.inFlight--
        this.#admitted(r, m)
      },
      (error: unknown) => {
        this.measures.inFlight--
        if (
          !(
            error instanceof SwiotlbFullError ||
            error instanceof MappingTooLargeError ||
            error instanceof ThrottleTimeoutError
          )
        )
          throw error
        this.#admitted(r, undefined)
      },
    )
  }

  #tryMap(bytes: number, options: MapOptions): Mapping | undefined {
    try {
      return this.dma.tryMap(bytes, options)
    } catch (error) {
      if (error instanceof MappingTooLargeError) return undefined
      throw error
    }
  }

  /** Entry 0 got `first` (or nothing): map the other entries, non-blocking, all or nothing. */
  #admitted(r: Request, first: Mapping | undefined): void {
    const e = r.event
    let maps: Mapping[] | undefined = first === undefined ? undefined : [first]
    if (maps !== undefined && e.sizes.length > 1) {
      const options = { dir: e.dir, device: e.device, cpu: e.cpu < 0 ? 0 : e.cpu }
      for (let i = 1; i < e.sizes.length; i++) {
        const m = this.#tryMap(e.sizes[i]!, options)
        if (m === undefined) {
          for (const done of maps) done.unmap()
          maps = undefined
          break
        }
        maps.push(m)
      }
    }
    this.options.onMap?.(e, maps)
    if (maps === undefined) {
      r.state = 'failed'
      this.measures.failed(r.device)
      if (this.options.stopOnError === true) this.done = true
      return
    }
    const waited = first!.waitedMs
    r.maps = maps
    r.state = 'mapped'
    r.waitedMs = waited
    this.measures.mapped(r.device, waited, waited > 0)
    if (r.holdMs !== undefined || r.traceUnmapAt !== undefined) this.#scheduleUnmap(r)
  }

  #unmap(key: string, device: string): void {
    const r = this.#live.get(key)
    if (r === undefined) {
      bump(this.counts.unmaps, device)
      return
    }
    this.#live.delete(key)
    r.traceUnmapAt = this.clock.now()
    if (r.state === 'mapped') this.#scheduleUnmap(r)
  }

  /**
   * The unmap moves by the map's wait: it comes when the trace unmapped plus the wait (the hold is
   * kept), or, for a trace without unmaps, the hold after the admission. An unwaited map's unmap is
   * due exactly now and happens now, before the events the trace puts after it at the same time (a sum
   * like requestAt + (now − requestAt) could miss `now` by a rounding error and come too late).
   */
  #scheduleUnmap(r: Request): void {
    const now = this.clock.now()
    const at =
      r.traceUnmapAt !== undefined ? r.traceUnmapAt + r.waitedMs : r.requestAt + r.waitedMs + r.holdMs!
    if (at <= now) this.#release(r)
    else this.clock.setTimer(at - now, () => this.#release(r))
  }

  #release(r: Request): void {
    if (r.state !== 'mapped') return
    r.state = 'done'
    for (const m of r.maps!) this.dma.unmap(m)
    const now = this.clock.now()
    this.measures.completed(r.device, r.bytes, now, now - r.requestAt)
  }

  /**
   * After the last event: the delayed unmaps run, and the result is built. Maps still waiting then are
   * stuck I/Os; maps the trace never unmapped are counted per device and stay mapped.
   */
  async finish(): Promise<PolicyResult> {
    this.#sampler.unsubscribe()
    await this.clock.runAll()
    for (const r of this.#live.values()) bump(this.counts.maps, r.event.device)
    const stats = this.dma.stats()
    this.#poolBytes?.stop()
    this.dma.close()
    const runtimeMs = Math.max(this.#lastAt, 1)
    this.measures.windowEndMs = Number.POSITIVE_INFINITY
    return buildPolicyResult({
      spec: traceSpec(this.pool, runtimeMs),
      measures: this.measures,
      stats,
      perAreaSum: this.dma.perAreaHiwaterSum() * SLOT_SIZE,
      sampledBytes: this.#sampledUsed * SLOT_SIZE,
      // The pool the Swiotlb built (whole segments per area), as run.ts reports it.
      poolBytes: this.#poolBytes ?? { initial: stats.nslabs * SLOT_SIZE, peak: stats.nslabs * SLOT_SIZE },
      hiwaterSlots: this.#poolBytes?.hiwater ?? stats.hiwater,
    })
  }
}

function bump(counts: Map<string, number>, device: string): void {
  counts.set(device, (counts.get(device) ?? 0) + 1)
}

/** The spec a result is built against: the trace's length is the run's (rates divide by it). */
function traceSpec(pool: PoolSpec, runtimeMs: number): SimSpec {
  return {
    name: 'trace',
    description: '',
    cpus: 1,
    memory: DEFAULT_MEMORY_BYTES,
    vcpu: DEFAULT_VCPU,
    pool,
    devices: [],
    jobs: [],
    hogs: [],
    runtimeMs,
    sampleMs: 1000,
    policies: [],
    tuning: DEFAULT_TUNING,
  }
}

import { SLOT_SIZE } from '../allocator/layout.js'
import { SwiotlbAllocator } from '../allocator/swiotlb-allocator.js'
import type { Clock } from '../clock/clock.js'
import { BatchedReading } from '../clock/reading-batch.js'
import { ArgumentRangeError } from '../errors.js'
import { Growth, type GrowthHost } from '../growth/growth.js'
import { EventHold, Hub, type SwiotlbEvent, type WaitQueueState } from '../stats/events.js'
import { Histogram } from '../stats/histogram.js'
import type { Counters } from '../stats/stats.js'
import { createPolicy } from '../throttle/create-policy.js'
import type { ThrottlePolicy } from '../throttle/policy.js'
import { MapPath } from './map-path.js'
import type { MappingOwner } from './mapping.js'
import type { NormalizedOptions } from './options.js'
import { WaitPath } from './wait-path.js'

/**
 * Everything one Swiotlb is made of, built once by its constructor and passed whole to the map path
 * and the wait path, as the kernel passes `struct io_tlb_mem *mem` to every swiotlb function and
 * SimPy passes `env`. See docs/architecture.md for who owns what and which way calls go.
 */
export class SwiotlbContext {
  readonly clock: Clock
  /** Admission times: one reading of `clock` per batch of admissions (clock/reading-batch). */
  readonly admissionClock: BatchedReading
  /** The Swiotlb whose `unmap` its Mappings call. */
  readonly owner: MappingOwner
  readonly allocator: SwiotlbAllocator
  /** Undefined with `throttle: false`. */
  readonly policy: ThrottlePolicy | undefined
  /** Undefined with `growth: false`. */
  readonly growth: Growth | undefined
  /** The counts stats() reports that neither the allocator, the policy nor growth keeps. */
  readonly counters: Counters = { live: 0, failures: 0, admitted: 0, timeouts: 0, aborts: 0 }
  readonly events = new Hub<SwiotlbEvent>()
  readonly queue = new Hub<WaitQueueState>()
  /**
   * Events wait until the operation that raised them is complete: a subscriber that calls back in
   * sees the budget, queue and pools as they are after it, never half way.
   */
  readonly streams = new EventHold(this.events, this.queue)
  /** How long admitted blocking requests waited, ms. */
  readonly waits = new Histogram(1000)
  readonly maps: MapPath
  readonly wait: WaitPath

  /** `size` is the option as given, for the error when this host cannot allocate the pool. */
  constructor(o: NormalizedOptions, owner: MappingOwner, size: unknown) {
    this.clock = o.clock
    this.admissionClock = new BatchedReading(o.clock)
    this.owner = owner
    try {
      this.allocator = new SwiotlbAllocator({
        nslabs: o.nslabs,
        nareas: o.nareas,
        backing: o.backing,
        now: o.clock.now(),
        owner,
      })
    } catch (error) {
      // Typed-array length limits or no memory: a size this host cannot hold.
      const why = error instanceof Error ? error.message : String(error)
      throw new ArgumentRangeError('size', `a pool this host can allocate (${why})`, size)
    }
    this.maps = new MapPath(this)
    this.wait = new WaitPath(this)
    this.policy = o.throttle === false ? undefined : createPolicy(o.throttle, this.wait)
    this.growth = o.growth === false ? undefined : new Growth(o.growth, growthHost(this))
  }
}

/** What growth asks of the pool around it, and where it reports. */
function growthHost(ctx: SwiotlbContext): GrowthHost {
  const { clock, allocator, events } = ctx
  return {
    clock,
    allocator,
    oldestWaiter: () => ctx.policy?.oldest(),
    onGrowStart: (bytes, reason) => {
      if (events.active) events.emit({ type: 'grow-start', at: clock.now(), bytes, reason })
    },
    onGrown: (pool) => ctx.wait.grown(pool),
    onGrowFailed: (bytes) => {
      if (events.active) events.emit({ type: 'grow-failed', at: clock.now(), bytes })
    },
    onShrink: (pool) => {
      if (events.active)
        events.emit({ type: 'shrink', at: clock.now(), bytes: pool.nslabs * SLOT_SIZE, addr: pool.start })
    },
    mayShrink: (pool) => ctx.policy?.mayShrinkTo(allocator.nslabs - pool.nslabs) ?? true,
  }
}

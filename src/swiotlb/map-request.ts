import { NO_ORIG_ADDR } from '../allocator/layout.js'
import type { MappingDirection } from '../stats/types.js'
import type { RequestSpec } from './request.js'

/**
 * Where a request may be placed and how it is mapped: everything about it but its size and its bytes.
 * Immutable, so that waiters that place alike share one (most share one of two: a sub-page request
 * or a page-aligned one, from cpu 0, with no masks). With no match mask the original address plays
 * no part in the search (Pool.search compares it under the match mask only), so it is kept as
 * NO_ORIG_ADDR then, and a buffer's offset does not make a shape of its own.
 */
export class MapShape {
  readonly cpu: number
  readonly dir: MappingDirection
  readonly alignMask: number
  readonly matchMask: number
  readonly origAddr: number
  readonly offset: number
  readonly boundaryMask: number

  constructor(spec: RequestSpec) {
    this.cpu = spec.cpu
    this.dir = spec.dir
    this.alignMask = spec.alignMask
    this.matchMask = spec.matchMask
    this.origAddr = spec.matchMask === 0 ? NO_ORIG_ADDR : spec.origAddr
    this.offset = spec.offset
    this.boundaryMask = spec.boundaryMask
  }

  /** True when `spec` places and maps as this shape does. */
  fits(spec: RequestSpec): boolean {
    return (
      this.alignMask === spec.alignMask &&
      this.cpu === spec.cpu &&
      this.dir === spec.dir &&
      this.matchMask === spec.matchMask &&
      this.offset === spec.offset &&
      this.boundaryMask === spec.boundaryMask &&
      (spec.matchMask === 0 || this.origAddr === spec.origAddr)
    )
  }
}

/**
 * What a Mapping keeps of the request it was made for: its size, its slots, its device, its bytes, its
 * shape, and whether the throttle admitted it. A queued request's waiter is one (PendingMap); a request
 * mapped at once gets a FixedRequest. The Mapping reads these through it instead of copying them:
 * five fields fewer on every mapping.
 */
export interface MapRequest {
  readonly sizeBytes: number
  readonly nslots: number
  readonly device: string
  readonly orig: Uint8Array | undefined
  readonly shape: MapShape
  /** Admitted by the throttle (counts against the blocking budget). */
  readonly blocking: boolean
  /** Time it spent in the wait queue, ms, once mapped (0 when mapped at once). */
  readonly waitedMs: number
}

/**
 * An immutable MapRequest for a request mapped at once. Requests without bytes of their own (`backing:
 * false`) that are alike share one (see RequestSpec.request), so that `map(4096, true)` over and over
 * makes none; one with bytes gets its own.
 */
export class FixedRequest implements MapRequest {
  readonly sizeBytes: number
  readonly nslots: number
  readonly device: string
  readonly orig: Uint8Array | undefined
  readonly shape: MapShape
  readonly blocking: boolean
  /** Mapped at once: it never waited. */
  readonly waitedMs = 0

  constructor(spec: RequestSpec, shape: MapShape, blocking: boolean) {
    this.sizeBytes = spec.sizeBytes
    this.nslots = spec.nslots
    this.device = spec.device
    this.orig = spec.orig
    this.shape = shape
    this.blocking = blocking
  }

  /** True when `spec`, of `shape` and without bytes, would make the same request. */
  fits(spec: RequestSpec, shape: MapShape, blocking: boolean): boolean {
    return (
      this.sizeBytes === spec.sizeBytes &&
      this.nslots === spec.nslots &&
      this.shape === shape &&
      this.blocking === blocking &&
      this.device === spec.device
    )
  }
}

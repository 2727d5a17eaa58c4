import { type ModelPool, SEGMENT, SLOT } from './model-pools.js'
import type { ModelTimer } from './model-timers.js'

export type Dir = 'to-device' | 'from-device' | 'bidirectional'

/** A request as the model sees it. */
export interface Req {
  readonly id: number
  readonly size: number
  readonly nslots: number
  readonly alignBytes: number
  readonly device: string
  readonly blocking: boolean
  /** Infinity when the request has no timeout. */
  readonly timeoutMs: number
}

/** A blocking request in the model's queue. */
export interface Waiting extends Req {
  readonly enqueuedAt: number
  timer: ModelTimer | undefined
}

/** A live mapping of the model. */
export interface Live {
  readonly id: number
  readonly pool: ModelPool
  readonly slot: number
  readonly nslots: number
  readonly blocking: boolean
  readonly throttled: boolean
  readonly device: string
}

/** What the model may ask the real pool: only where it put things, never what it decided. */
export interface Oracle {
  placement(
    id: number,
  ): { addr: number; poolStart: number; slot: number; slots: number; waitedMs: number } | undefined
  /** The real settlement log entry at `index`, if any. */
  entry(index: number): string | undefined
  /** Address of the next pool the real pool reported making (grow or transient event). */
  nextPoolAddr(kind: 'dynamic' | 'transient', nslabs: number): number
}

/** Shape of a request (swiotlb_tbl_map_single's arithmetic, written out again), or undefined if too large. */
export function shape(size: number, allocAlignMask = 0): { nslots: number; alignBytes: number } | undefined {
  if (size > SEGMENT * SLOT) return undefined
  let alignMask = allocAlignMask
  if (alignMask === 0 && size >= 4096) alignMask = 4095
  alignMask |= SLOT - 1
  const unit = allocAlignMask + 1
  const nslots = Math.ceil((Math.ceil(size / unit) * unit) / SLOT)
  if (nslots > SEGMENT) return undefined
  return { nslots, alignBytes: alignMask + 1 }
}

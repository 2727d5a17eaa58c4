import type { MappingDirection } from './types.js'

interface Base {
  /** Clock time of the event, ms. */
  at: number
}
export type MapEvent = Base & {
  type: 'map'
  addr: number
  size: number
  slots: number
  device: string
  blocking: boolean
  dir: MappingDirection
}
export type UnmapEvent = Base & { type: 'unmap'; addr: number; size: number; slots: number; device: string }
export type ThrottleEvent = Base & { type: 'throttle'; size: number; device: string; waiting: number }
export type AdmitEvent = Base & {
  type: 'admit'
  addr: number
  size: number
  device: string
  waitedMs: number
}
export type TimeoutEvent = Base & { type: 'timeout'; size: number; device: string; waitedMs: number }
export type AbortEvent = Base & { type: 'abort'; size: number; device: string; waitedMs: number }
export type FullEvent = Base & { type: 'full'; size: number; device: string; total: number; used: number }
export type GrowStartEvent = Base & { type: 'grow-start'; bytes: number; reason: 'wait' | 'background' }
export type GrowEvent = Base & { type: 'grow'; bytes: number; addr: number; nslabs: number; areas: number }
export type GrowFailedEvent = Base & { type: 'grow-failed'; bytes: number }
export type ShrinkEvent = Base & { type: 'shrink'; bytes: number; addr: number }
export type TransientEvent = Base & { type: 'transient'; bytes: number; addr: number; device: string }

/** Everything a Swiotlb reports on `events$`, discriminated by `type`. */
export type SwiotlbEvent =
  | MapEvent
  | UnmapEvent
  | ThrottleEvent
  | AdmitEvent
  | TimeoutEvent
  | AbortEvent
  | FullEvent
  | GrowStartEvent
  | GrowEvent
  | GrowFailedEvent
  | ShrinkEvent
  | TransientEvent

/** The wait queue after a change (`waitQueue$`). */
export interface WaitQueueState {
  at: number
  length: number
  bytesWaiting: number
  /** How long the oldest waiter has waited, ms; 0 when nobody waits. */
  headWaitedMs: number
}

/**
 * A minimal synchronous fan-out. Producers check `active` before building an event, so a pool with
 * no subscribers allocates nothing for events on its hot path.
 */
export class Hub<T> {
  #listeners: Array<(value: T) => void> = []
  active = false

  on(fn: (value: T) => void): () => void {
    this.#listeners = [...this.#listeners, fn]
    this.active = true
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== fn)
      this.active = this.#listeners.length !== 0
    }
  }

  emit(value: T): void {
    // A copy-on-write array: listeners added or removed during emit take effect next time.
    const listeners = this.#listeners
    for (let i = 0; i < listeners.length; i++) listeners[i]!(value)
  }
}

import { interruptBatch } from '../clock/reading-batch.js'
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

  #held = 0
  #flushing = false
  readonly #pending: T[] = []

  /**
   * Holds events back until the matching `release`: an operation holds them while its state is half
   * done, so a subscriber that calls back in (maps, unmaps, aborts) sees the state complete. Events
   * are delivered in the order they happened, nested operations' included.
   */
  hold(): void {
    this.#held++
  }

  release(): void {
    if (--this.#held !== 0 || this.#flushing || this.#pending.length === 0) return
    this.#flushing = true
    try {
      for (let i = 0; i < this.#pending.length; i++) this.#deliver(this.#pending[i]!)
    } finally {
      this.#pending.length = 0
      this.#flushing = false
    }
  }

  emit(value: T): void {
    if (this.#held !== 0 || this.#flushing) this.#pending.push(value)
    else this.#deliver(value)
  }

  #deliver(value: T): void {
    // A copy-on-write array: listeners added or removed during emit take effect next time.
    const listeners = this.#listeners
    // Subscribers are others' code: a batch's clock reading does not outlive them (clock/reading-batch).
    interruptBatch()
    for (let i = 0; i < listeners.length; i++) listeners[i]!(value)
    interruptBatch()
  }
}

/**
 * Both streams of a Swiotlb, held together for the length of an operation. Nothing is held when
 * nobody listens: events are then never built, and the hold would guard nothing.
 */
export class EventHold {
  constructor(
    readonly events: Hub<SwiotlbEvent>,
    readonly queue: Hub<WaitQueueState>,
  ) {}

  /** Holds both streams when either has subscribers; returns whether it did (pass it to `release`). */
  hold(): boolean {
    if (!this.events.active && !this.queue.active) return false
    this.events.hold()
    this.queue.hold()
    return true
  }

  release(held: boolean): void {
    if (!held) return
    this.events.release()
    this.queue.release()
  }
}

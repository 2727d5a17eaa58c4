import { Observable } from 'rxjs'
import type { Clock, TimerHandle } from '../clock/clock.js'
import type { Hub } from './events.js'

/** The one file that imports rxjs: hubs and clock-driven sampling as Observables. */
export function fromHub<T>(hub: Hub<T>): Observable<T> {
  return new Observable<T>((subscriber) => hub.on((value) => subscriber.next(value)))
}

/**
 * Emits `sample()` every `intervalMs` on `clock`, first after one interval (like rxjs `interval`).
 * Unsubscribing clears the timer, so nothing is left pending.
 */
export function sampled<T>(clock: Clock, intervalMs: number, sample: () => T): Observable<T> {
  return new Observable<T>((subscriber) => {
    let timer: TimerHandle | undefined
    const tick = () => {
      timer = clock.setTimer(intervalMs, tick)
      subscriber.next(sample())
    }
    timer = clock.setTimer(intervalMs, tick)
    return () => {
      if (timer !== undefined) clock.clearTimer(timer)
      timer = undefined
    }
  })
}

export type { Observable }

import type fc from 'fast-check'
import { check } from './check.js'
import { type MapCommand, step } from './commands.js'
import type { Model } from './model.js'
import { RANGE, type Refusal, retune, shown, TYPE } from './model-retune.js'
import type { Real } from './real.js'

// The queue-wide operations of issue 14: cancelWaiting, setThrottle, onIdle and onQueueBelow.
type Cmd = fc.AsyncCommand<Model, Real>

/** Renders a command's argument for its name: `{high: 0.5, low: "x"}`, `null`, `undefined`. */
function render(value: unknown): string {
  if (typeof value !== 'object' || value === null)
    return typeof value === 'string' ? `"${value}"` : String(value)
  if (Array.isArray(value)) return `[${value.map(render).join(', ')}]`
  return `{${Object.entries(value)
    .map(([k, v]) => `${k}: ${render(v)}`)
    .join(', ')}}`
}

/**
 * A call that must throw one of `problems` (its code, and its offending value in the message) and
 * change nothing: the same stats, thresholds, timers and settlements afterwards.
 */
async function refused(model: Model, real: Real, name: string, call: () => unknown, problems: Refusal[]) {
  const before = JSON.stringify([real.dma.stats(), real.dma.options.throttle, real.clock.pendingTimers])
  const logLength = real.log.length
  let error: unknown
  try {
    call()
  } catch (e) {
    error = e
  }
  const e = error as { code?: string; message?: string } | undefined
  const expected = problems.map((p) => `${p.code} showing ${shown(p.value)}`).join(' or ')
  if (!problems.some((p) => e?.code === p.code && String(e.message).includes(`got ${shown(p.value)}`)))
    throw new Error(`${name}: expected ${expected}, got ${String(error)}`)
  await real.clock.advanceBy(0)
  const after = JSON.stringify([real.dma.stats(), real.dma.options.throttle, real.clock.pendingTimers])
  if (after !== before || real.log.length !== logLength)
    throw new Error(`${name}: a refused call changed the pool`)
  check(model, real, name)
}

export type CancelReason = 'none' | 'string' | 'error'
export type CancelBad = 'string-options' | 'null-options' | 'device-type' | 'unknown-key'

const BAD_CANCEL: Record<CancelBad, [unknown, Refusal]> = {
  'string-options': ['nvme', { code: TYPE, value: 'nvme' }],
  'null-options': [null, { code: TYPE, value: null }],
  'device-type': [{ device: 3 }, { code: TYPE, value: 3 }],
  'unknown-key': [{ devices: 'nvme' }, { code: RANGE, value: 'devices' }],
}

/** cancelWaiting(reason?, { device? }), or one with bad options that must change nothing. */
export class CancelCommand implements Cmd {
  constructor(
    readonly reason: CancelReason,
    readonly device: string | undefined,
    readonly bad: CancelBad | undefined,
  ) {}
  /** Mostly when someone waits (a queue is seldom long at random); bad options and unknown devices always. */
  check(model: Model): boolean {
    const waiting = model.policy?.waiters().length ?? 0
    return (
      waiting > 0 || this.bad !== undefined || this.device === 'idle-device' || model.policy === undefined
    )
  }
  async run(model: Model, real: Real): Promise<void> {
    const reason =
      this.reason === 'none' ? undefined : this.reason === 'string' ? 'stop' : new Error('shut down')
    const name = this.toString()
    if (this.bad !== undefined) {
      const [options, problem] = BAD_CANCEL[this.bad]
      const cancel = real.dma.cancelWaiting.bind(real.dma) as (r: unknown, o: unknown) => number
      await refused(model, real, name, () => cancel(reason, options), [problem])
      return
    }
    await step(
      model,
      real,
      name,
      () => {
        real.reason = reason
        const n = real.dma.cancelWaiting(
          reason,
          this.device === undefined ? undefined : { device: this.device },
        )
        real.log.push(`cancel→${n}@${real.clock.now()}`)
      },
      () => model.cancel(reason !== undefined, this.device),
    )
  }
  toString(): string {
    const opts =
      this.bad !== undefined ? render(BAD_CANCEL[this.bad][0]) : this.device && `{device: ${this.device}}`
    return `cancelWaiting(${[this.reason === 'none' ? '' : this.reason, opts].filter(Boolean).join(', ')})`
  }
}

/** setThrottle(input): applied and drained when valid, else a coded error and nothing changed. */
export class SetThrottleCommand implements Cmd {
  constructor(readonly input: unknown) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    const name = this.toString()
    const problems =
      model.policy === undefined
        ? [{ code: RANGE, value: this.input } as const]
        : retune(this.input, model.thresholds, model.pools.nslabs)
    const call = () => real.dma.setThrottle(this.input as { high?: number })
    if (Array.isArray(problems)) await refused(model, real, name, call, problems)
    else await step(model, real, name, call, () => model.setThrottle(this.input))
  }
  toString(): string {
    return `setThrottle(${render(this.input)})`
  }
}

export type WatchSignal = 'none' | 'live' | 'aborted' | 'bad'

/** onIdle(signal?) or onQueueBelow(n, signal?); settles exactly when (and in the order) the model says. */
export class WatchCommand implements Cmd {
  constructor(
    readonly kind: 'idle' | 'below',
    readonly n: unknown,
    readonly signal: WatchSignal,
  ) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    const id = real.nextWatchId
    const below = this.kind === 'idle' ? 0 : this.n
    await step(
      model,
      real,
      this.toString(),
      () => {
        const controller =
          this.signal === 'live' || this.signal === 'aborted' ? new AbortController() : undefined
        if (this.signal === 'aborted') controller!.abort()
        const signal = this.signal === 'bad' ? ({ aborted: false } as AbortSignal) : controller?.signal
        const p =
          this.kind === 'idle' ? real.dma.onIdle(signal) : real.dma.onQueueBelow(below as number, signal)
        real.watch(p, typeof below === 'number' ? below : -1, controller)
      },
      () => {
        // The arguments are checked first (n, then the signal), then an aborted signal, then the queue.
        const bad =
          typeof below !== 'number'
            ? TYPE
            : this.kind === 'below' && !(Number.isSafeInteger(below) && below >= 1)
              ? RANGE
              : this.signal === 'bad'
                ? TYPE
                : undefined
        if (bad !== undefined) model.log.push(`bad(${bad}):w${id}@${model.now}`)
        else
          model.watchers.add(
            { id, below: below as number, hasSignal: this.signal === 'live' },
            this.signal === 'aborted',
          )
      },
    )
  }
  toString(): string {
    const signal = this.signal === 'none' ? '' : `${this.signal} signal`
    if (this.kind === 'idle') return `onIdle(${signal})`
    return `onQueueBelow(${[render(this.n), signal].filter(Boolean).join(', ')})`
  }
}

/** Aborts the signal of an onIdle / onQueueBelow call (one that settled already ignores it). */
export class AbortWatchCommand implements Cmd {
  constructor(readonly pick: number) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    const watches = [...real.watches.values()].filter((w) => w.controller !== undefined)
    const w = watches[this.pick % Math.max(1, watches.length)]
    if (w === undefined) return
    await step(
      model,
      real,
      `${this} of w${w.id}`,
      () => w.controller!.abort(),
      () => model.watchers.abort(w.id),
    )
  }
  toString(): string {
    return `abortWatch(${this.pick})`
  }
}

/** Several blocking maps in a row: a queue to cancel, retune and watch (random steps seldom build one). */
export class BurstCommand implements Cmd {
  constructor(readonly maps: MapCommand[]) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    for (const m of this.maps) await m.run(model, real)
  }
  toString(): string {
    return `burst[${this.maps.join(', ')}]`
  }
}

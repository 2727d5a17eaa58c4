import type fc from 'fast-check'
import { InvalidUnmapError, type MapOptions, type Mapping } from '../../src/index.js'
import { check } from './check.js'
import type { Model } from './model.js'
import { SLOT } from './model-pools.js'
import { type Dir, shape } from './model-types.js'
import type { Real } from './real.js'

type Cmd = fc.AsyncCommand<Model, Real>

export interface MapParams {
  blocking: boolean
  /** tryMap instead of map (non-blocking requests only). */
  sync: boolean
  size: number
  dir: Dir
  device: string
  allocAlignMask: number | undefined
  timeoutMs: number | undefined
  preAborted: boolean
}

/** Runs the real side of a step, lets it settle, runs the model's side, then compares everything. */
export async function step(
  model: Model,
  real: Real,
  name: string,
  act: () => void,
  predict: () => void,
  ms = 0,
) {
  act()
  await real.clock.advanceBy(ms)
  predict()
  model.advance(ms)
  check(model, real, name)
}

export class MapCommand implements Cmd {
  constructor(readonly p: MapParams) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    const p = this.p
    const id = real.nextId
    await step(
      model,
      real,
      this.toString(),
      () => {
        const base = {
          dir: p.dir,
          device: p.device,
          ...(p.allocAlignMask ? { allocAlignMask: p.allocAlignMask } : {}),
        }
        if (p.sync && !p.blocking) {
          const rec = real.track(undefined)
          try {
            const m = real.dma.tryMap(p.size, base)
            if (m !== undefined) real.settle(rec, m)
            else real.fail(rec, { name: 'SwiotlbFullError' })
          } catch (e) {
            real.fail(rec, e)
          }
          return
        }
        const controller = p.blocking ? new AbortController() : undefined
        const options: MapOptions = { ...base, mayBlock: p.blocking }
        if (p.timeoutMs !== undefined) options.timeoutMs = p.timeoutMs
        const signal = p.preAborted ? AbortSignal.abort() : controller?.signal
        if (signal !== undefined) options.signal = signal
        real.track(real.dma.map(p.size, options), controller)
      },
      () => {
        const s = shape(p.size, p.allocAlignMask)
        if (s === undefined) {
          model.log.push(`too-large:${id}@${model.now}`)
          return
        }
        const req = { id, size: p.size, device: p.device, blocking: p.blocking, ...s }
        const r = { ...req, timeoutMs: p.timeoutMs ?? Number.POSITIVE_INFINITY }
        if (p.blocking) model.mapBlocking(r, p.preAborted)
        else model.mapNow(r)
      },
    )
  }
  toString(): string {
    const p = this.p
    const opts = [
      p.blocking ? 'mayBlock' : p.sync ? 'tryMap' : 'map',
      `${p.size}B`,
      p.dir,
      p.device,
      p.allocAlignMask ? `align=${p.allocAlignMask}` : '',
      p.blocking && p.timeoutMs !== undefined ? `timeout=${p.timeoutMs}` : '',
      p.blocking && p.preAborted ? 'aborted' : '',
    ]
    return `map(${opts.filter(Boolean).join(' ')})`
  }
}

export type UnmapHow = 'method' | 'owner' | 'addr' | 'dispose'

export class UnmapCommand implements Cmd {
  constructor(
    readonly pick: number,
    readonly how: UnmapHow,
  ) {}
  check(model: Model): boolean {
    return model.live.size > 0
  }
  async run(model: Model, real: Real): Promise<void> {
    const ids = [...model.live.keys()].sort((a, b) => a - b)
    const id = ids[this.pick % ids.length]!
    const rec = real.records.get(id)!
    const m = rec.mapping!
    await step(
      model,
      real,
      `${this} of #${id}`,
      () => {
        if (this.how === 'method') m.unmap()
        else if (this.how === 'owner') real.dma.unmap(m)
        else if (this.how === 'addr') real.dma.unmap(m.addr)
        else m[Symbol.dispose]()
        rec.unmapped = true
      },
      () => model.unmap(id),
    )
  }
  toString(): string {
    return `unmap(${this.pick}, ${this.how})`
  }
}

export type StaleHow = 'mapping' | 'addr' | 'inside' | 'size'

/** An unmap that must throw InvalidUnmapError and change nothing. */
export class StaleUnmapCommand implements Cmd {
  constructor(
    readonly pick: number,
    readonly how: StaleHow,
  ) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    const target = this.#target(model, real)
    if (target === undefined) return
    const before = real.dma.stats()
    const timers = real.clock.pendingTimers
    let error: unknown
    try {
      target()
    } catch (e) {
      error = e
    }
    if (!(error instanceof InvalidUnmapError) || error.code !== 'ERR_INVALID_UNMAP')
      throw new Error(`${this}: expected InvalidUnmapError, got ${String(error)}`)
    await real.clock.advanceBy(0)
    if (JSON.stringify(real.dma.stats()) !== JSON.stringify(before) || real.clock.pendingTimers !== timers)
      throw new Error(`${this}: a refused unmap changed the pool`)
    check(model, real, this.toString())
  }
  #target(model: Model, real: Real): (() => void) | undefined {
    const live = [...model.live.keys()].sort((a, b) => a - b)
    const dead = [...real.records.values()].filter((r) => r.unmapped).map((r) => r.mapping!)
    if (this.how === 'mapping' || this.how === 'addr') {
      const m: Mapping | undefined = dead[this.pick % Math.max(1, dead.length)]
      if (m === undefined) return undefined
      if (this.how === 'mapping') return () => m.unmap()
      const reused = live.some((id) => real.records.get(id)!.mapping!.addr === m.addr)
      return reused ? undefined : () => real.dma.unmap(m.addr)
    }
    if (live.length === 0) return undefined
    const m = real.records.get(live[this.pick % live.length]!)!.mapping!
    if (this.how === 'size') return () => m.unmap({ size: m.size + 1 })
    const inside = m.slots > 1 ? m.addr + SLOT * (1 + (this.pick % (m.slots - 1))) : m.addr + 1
    return () => real.dma.unmap(inside)
  }
  toString(): string {
    return `staleUnmap(${this.pick}, ${this.how})`
  }
}

export class AbortCommand implements Cmd {
  constructor(readonly pick: number) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    const recs = [...real.records.values()].filter((r) => r.controller !== undefined)
    const rec = recs[this.pick % Math.max(1, recs.length)]
    if (rec === undefined) return
    await step(
      model,
      real,
      `${this} of #${rec.id}`,
      () => rec.controller!.abort(),
      () => model.abort(rec.id),
    )
  }
  toString(): string {
    return `abort(${this.pick})`
  }
}

export class AdvanceCommand implements Cmd {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    await step(
      model,
      real,
      this.toString(),
      () => {},
      () => {},
      this.ms,
    )
  }
  toString(): string {
    return `advance(${this.ms})`
  }
}

/**
 * `close()` in the middle of a run (api.md): the timers growth holds go, and none is armed again
 * whatever the pool does next: no fallback grow, no shrink; waiters are still admitted by unmaps.
 */
export class CloseCommand implements Cmd {
  check(model: Model): boolean {
    return model.growth !== undefined
  }
  async run(model: Model, real: Real): Promise<void> {
    await step(
      model,
      real,
      this.toString(),
      () => real.dma.close(),
      () => model.close(),
    )
  }
  toString(): string {
    return 'close()'
  }
}

export class RefuseGrowCommand implements Cmd {
  constructor(readonly refuse: boolean) {}
  check(model: Model): boolean {
    return model.growth !== undefined
  }
  async run(model: Model, real: Real): Promise<void> {
    real.refuse = this.refuse
    model.refuse = this.refuse
    check(model, real, this.toString())
  }
  toString(): string {
    return `refuseGrows(${this.refuse})`
  }
}

export class ResetHiwaterCommand implements Cmd {
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    real.dma.resetHiwater(0)
    model.pools.hiwater = model.pools.used
    check(model, real, this.toString())
  }
  toString(): string {
    return 'resetHiwater(0)'
  }
}

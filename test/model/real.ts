import { type Mapping, SLOT_SIZE, Swiotlb, VirtualClock } from '../../src/index.js'
import type { ModelConfig } from './model.js'
import type { Oracle } from './model-types.js'

/** One request made to the real pool, and how it settled. */
export interface Tracked {
  readonly id: number
  mapping: Mapping | undefined
  controller: AbortController | undefined
  settled: boolean
  unmapped: boolean
}

/**
 * The real Swiotlb on a VirtualClock, with a log of settlements in the order they happened:
 * `mapped:<id>@<ms>`, `timeout:<id>@<ms>`, `abort:<id>@<ms>`, `full:<id>@<ms>`, `too-large:<id>@<ms>`;
 * and a log of the growth events `grow-start`, `grow`, `grow-failed`, `shrink`.
 */
export class Real implements Oracle {
  readonly clock = new VirtualClock()
  readonly dma: Swiotlb
  readonly records = new Map<number, Tracked>()
  readonly log: string[] = []
  readonly growLog: string[] = []
  readonly #pools: Array<{ kind: 'dynamic' | 'transient'; addr: number; nslabs: number }> = []
  refuse = false
  #nextId = 1

  constructor(config: ModelConfig) {
    const { mode, high, low, sizeBytes, nareas, growth } = config
    this.dma = new Swiotlb({
      size: sizeBytes,
      areas: nareas,
      backing: false,
      clock: this.clock,
      throttle: mode === 'off' ? false : { high, low, mode },
      growth:
        growth === undefined
          ? false
          : {
              chunkBytes: growth.chunkSlots * SLOT_SIZE,
              maxBytes: growth.maxBytes,
              ...(growth.waitMs === undefined ? {} : { waitMs: growth.waitMs }),
              ...(growth.atUsage === undefined ? {} : { background: { atUsage: growth.atUsage } }),
              ...(growth.shrinkAfterMs === undefined ? {} : { shrinkAfterMs: growth.shrinkAfterMs }),
              cost: { fixedMs: growth.costMs },
              transient: growth.transient,
              allocate: () => !this.refuse,
            },
    })
    this.dma.events$.subscribe((e) => {
      if (e.type === 'grow-start' || e.type === 'grow-failed' || e.type === 'shrink')
        this.growLog.push(`${e.type}@${e.at}`)
      else if (e.type === 'grow') {
        this.growLog.push(`grow@${e.at}`)
        this.#pools.push({ kind: 'dynamic', addr: e.addr, nslabs: e.nslabs })
      } else if (e.type === 'transient')
        this.#pools.push({ kind: 'transient', addr: e.addr, nslabs: e.bytes / SLOT_SIZE })
    })
  }

  /** Registers a request; its promise (if any) logs how it settles. */
  track(promise: Promise<Mapping> | undefined, controller?: AbortController): Tracked {
    const rec: Tracked = {
      id: this.#nextId++,
      mapping: undefined,
      controller,
      settled: false,
      unmapped: false,
    }
    this.records.set(rec.id, rec)
    promise?.then(
      (m) => this.settle(rec, m),
      (e: unknown) => this.fail(rec, e),
    )
    return rec
  }

  settle(rec: Tracked, m: Mapping): void {
    rec.settled = true
    rec.mapping = m
    this.log.push(`mapped:${rec.id}@${this.clock.now()}`)
  }

  fail(rec: Tracked, e: unknown): void {
    rec.settled = true
    const name = (e as { name?: string }).name
    const kind =
      name === 'TimeoutError'
        ? 'timeout'
        : name === 'AbortError'
          ? 'abort'
          : name === 'SwiotlbFullError'
            ? 'full'
            : name === 'MappingTooLargeError'
              ? 'too-large'
              : `error(${String(e)})`
    this.log.push(`${kind}:${rec.id}@${this.clock.now()}`)
  }

  get nextId(): number {
    return this.#nextId
  }

  placement(id: number) {
    const m = this.records.get(id)?.mapping
    if (m === undefined) return undefined
    return { addr: m.addr, poolStart: m.pool.start, slot: m.slot, slots: m.slots, waitedMs: m.waitedMs }
  }

  entry(index: number): string | undefined {
    return this.log[index]
  }

  nextPoolAddr(kind: 'dynamic' | 'transient', nslabs: number): number {
    const p = this.#pools.shift()
    if (p === undefined || p.kind !== kind || p.nslabs !== nslabs)
      throw new Error(
        `the model made a ${kind} pool of ${nslabs} slots; the real pool reported ${JSON.stringify(p)}`,
      )
    return p.addr
  }

  /** Live mappings, by request id. */
  liveIds(): number[] {
    const ids: number[] = []
    for (const r of this.records.values()) if (r.mapping !== undefined && !r.unmapped) ids.push(r.id)
    return ids
  }
}

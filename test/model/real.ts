import { type Mapping, SLOT_SIZE, Swiotlb, VirtualClock } from '../../src/index.js'
import type { ModelConfig } from './model.js'
import type { Oracle } from './model-types.js'

/** One onIdle / onQueueBelow promise, and the controller of its signal (if it has one). */
export interface TrackedWatch {
  readonly id: number
  readonly controller: AbortController | undefined
  settled: boolean
}

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
  readonly watches = new Map<number, TrackedWatch>()
  /** Settled requests and watches already seen with no listener left (check.ts skips them). */
  readonly clean = new WeakSet<object>()
  /** The reason last given to cancelWaiting: each waiter it rejects must reject with this very value. */
  reason: unknown = undefined
  readonly log: string[] = []
  readonly growLog: string[] = []
  /** Every waitQueue$ state: `<length>/<bytesWaiting>/<headWaitedMs>@<at>`. */
  readonly queueLog: string[] = []
  readonly #pools: Array<{ kind: 'dynamic' | 'transient'; addr: number; nslabs: number }> = []
  refuse = false
  #nextId = 1
  #nextWatchId = 1

  constructor(config: ModelConfig) {
    const { mode, high, low, sizeBytes, nareas, growth, budgetBytes } = config
    this.dma = new Swiotlb({
      size: sizeBytes,
      areas: nareas,
      backing: false,
      clock: this.clock,
      throttle:
        mode === 'off' ? false : budgetBytes === undefined ? { high, low, mode } : { budgetBytes, mode },
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
    this.dma.waitQueue$.subscribe((q) =>
      this.queueLog.push(`${q.length}/${q.bytesWaiting}/${q.headWaitedMs}@${q.at}`),
    )
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
    const { name, code, sizeBytes, device } = e as Record<string, unknown>
    const kind =
      this.reason !== undefined && e === this.reason
        ? 'reason(same)'
        : code === 'ERR_WAIT_CANCELLED'
          ? `cancelled[${sizeBytes} ${device}]`
          : name === 'TimeoutError'
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

  get nextWatchId(): number {
    return this.#nextWatchId
  }

  /**
   * Registers an onIdle (`below` 0) or onQueueBelow(below) promise: logs `idle:w<id>`,
   * `below<n>:w<id>`, `watch-abort:w<id>` (its signal's reason) or `bad(<code>):w<id>`.
   */
  watch(promise: Promise<void>, below: number, controller: AbortController | undefined): void {
    const w: TrackedWatch = { id: this.#nextWatchId++, controller, settled: false }
    this.watches.set(w.id, w)
    const name = below === 0 ? 'idle' : `below${below}`
    promise.then(
      () => {
        w.settled = true
        this.log.push(`${name}:w${w.id}@${this.clock.now()}`)
      },
      (e: unknown) => {
        w.settled = true
        const what =
          controller !== undefined && e === controller.signal.reason
            ? 'watch-abort'
            : `bad(${(e as { code?: string }).code})`
        this.log.push(`${what}:w${w.id}@${this.clock.now()}`)
      },
    )
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

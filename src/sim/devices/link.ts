import type { SimContext } from '../context.js'
import type { Engine } from '../engine.js'
import type { Rng } from '../rng.js'

/**
 * A device's data path: transfers share one link of `bandwidth` bytes/s in arrival order, then the
 * command takes `latencyUs` (± `jitter`). An idle device serves a command in latency + bytes/bandwidth;
 * a busy one queues transfers, so the device never moves more than its bandwidth.
 */
export class Link {
  /** Tick (fractional) at which the link is free again. */
  #freeAt = 0
  readonly #bytesPerTick: number
  readonly #latencyTicks: number

  constructor(
    private readonly engine: Engine,
    bandwidth: number,
    latencyUs: number,
    private readonly jitter: number,
    private readonly rng: Rng,
  ) {
    this.#bytesPerTick = bandwidth / 1e6
    this.#latencyTicks = latencyUs
  }

  /** The tick at which a command of `bytes` issued now completes. */
  completionTick(bytes: number): number {
    const now = this.engine.nowTick()
    const start = this.#freeAt > now ? this.#freeAt : now
    this.#freeAt = start + bytes / this.#bytesPerTick
    const spread = this.jitter === 0 ? 1 : 1 + this.jitter * (2 * this.rng.next() - 1)
    return Math.max(now + 1, Math.ceil(this.#freeAt + this.#latencyTicks * spread))
  }
}

/** The link of a block device, with the device's own random stream. */
export function deviceLink(
  ctx: SimContext,
  spec: { name: string; bandwidth: number; latencyUs: number; jitter: number },
): Link {
  return new Link(ctx.engine, spec.bandwidth, spec.latencyUs, spec.jitter, ctx.rng(`device:${spec.name}`))
}

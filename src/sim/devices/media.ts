import type { SimContext } from '../context.js'
import type { Engine } from '../engine.js'
import type { Rng } from '../rng.js'
import { Link } from './link.js'

/** What a device's media is made of (see docs/simulation.md, "Calibration"). */
export interface MediaFields {
  /** Time one unit takes for one chunk (a flash read, a remote round trip), µs. */
  latencyUs: number
  /** Units that work at once: flash dies and planes, or a storage backend's parallelism. */
  channels: number
  /** A command is cut into chunks of this size, spread over the units. */
  stripeBytes: number
  /** Bytes per second of the link every chunk crosses. */
  bandwidth: number
  /** Each chunk's latency varies uniformly by ± this fraction. */
  jitter: number
}

/**
 * A device with internal parallelism: a command is cut into chunks of `stripeBytes`; each chunk takes
 * `latencyUs` (± jitter) on whichever of the `channels` units is free first, then crosses the link
 * (one FIFO at `bandwidth`). The command completes when its last chunk has crossed.
 *
 *   chunks ─▶ [unit 0] [unit 1] … [unit P-1] ─▶ link (bandwidth) ─▶ completion
 *
 * Below `channels` commands in flight the latency stays near `latencyUs` + transfer and the throughput
 * grows with the queue depth; beyond, commands wait for a unit (or the link) and the latency grows
 * with the depth (Little's law). So the bytes a device needs in flight to reach its bandwidth follow
 * its parallelism and latency, as on a real drive, not one fixed pipe.
 *
 * Chunks book their unit and their link slot when the command is submitted, in submission order: a
 * chunk never overtakes an earlier command's chunk on the link.
 */
export class Media {
  /** Tick (fractional µs) at which each unit is free again. */
  readonly #unitFree: Float64Array
  readonly #link: Link

  constructor(
    private readonly engine: Engine,
    readonly fields: MediaFields,
    private readonly rng: Rng,
  ) {
    this.#unitFree = new Float64Array(fields.channels)
    this.#link = new Link(fields.bandwidth)
  }

  /** The tick at which a command of `bytes` submitted now completes. */
  completionTick(bytes: number): number {
    const now = this.engine.nowTick()
    const { latencyUs, stripeBytes, jitter } = this.fields
    const units = this.#unitFree
    let end = now
    for (let left = bytes; left > 0; left -= stripeBytes) {
      // The unit free first (lowest index on ties).
      let u = 0
      for (let i = 1; i < units.length; i++) if (units[i]! < units[u]!) u = i
      const start = units[u]! > now ? units[u]! : now
      const spread = jitter === 0 ? 1 : 1 + jitter * (2 * this.rng.next() - 1)
      units[u] = start + latencyUs * spread
      const crossed = this.#link.transfer(units[u]!, left < stripeBytes ? left : stripeBytes)
      if (crossed > end) end = crossed
    }
    return Math.max(now + 1, Math.ceil(end - 1e-9))
  }
}

/** The media of a device, with the device's own random stream. */
export function deviceMedia(ctx: SimContext, spec: MediaFields & { name: string }): Media {
  return new Media(ctx.engine, spec, ctx.rng(`device:${spec.name}`))
}

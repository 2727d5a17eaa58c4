import type { ModelTimer } from './model-timers.js'

export const SLOT = 2048
export const SEGMENT = 128

export type PoolKind = 'default' | 'dynamic' | 'transient'

/** Where the real pool put a mapping (read from the real Mapping, validated by the model). */
export interface Placement {
  readonly addr: number
  readonly poolStart: number
  readonly slot: number
  readonly slots: number
}

/** One pool of the model: a plain occupancy map, one byte per slot, and nothing clever. */
export class ModelPool {
  readonly busy: Uint8Array
  used = 0
  shrinkTimer: ModelTimer | undefined = undefined

  constructor(
    readonly kind: PoolKind,
    readonly addr: number,
    readonly nslabs: number,
    readonly nareas: number,
  ) {
    this.busy = new Uint8Array(nslabs)
  }

  /** True when `n` free slots start at an aligned slot inside one segment. */
  fits(n: number, alignSlots: number): boolean {
    for (let s = 0; s + n <= this.nslabs; s += alignSlots) {
      if (Math.floor(s / SEGMENT) !== Math.floor((s + n - 1) / SEGMENT)) continue
      let free = true
      for (let i = s; i < s + n && free; i++) free = this.busy[i] === 0
      if (free) return true
    }
    return false
  }

  areaUsed(): number[] {
    const per = this.nslabs / this.nareas
    const out = new Array<number>(this.nareas).fill(0)
    for (let i = 0; i < this.nslabs; i++) if (this.busy[i]) out[Math.floor(i / per)]!++
    return out
  }
}

/** The pools of the model: the default pool, dynamic pools in search order, and transient pools. */
export class ModelPools {
  readonly pools: ModelPool[] = []
  readonly transients = new Set<ModelPool>()
  used = 0
  hiwater = 0

  constructor(defaultAddr: number, nslabs: number, nareas: number) {
    this.pools.push(new ModelPool('default', defaultAddr, nslabs, nareas))
  }

  get nslabs(): number {
    return this.pools.reduce((sum, p) => sum + p.nslabs, 0)
  }

  get transientNslabs(): number {
    let sum = 0
    for (const p of this.transients) sum += p.nslabs
    return sum
  }

  /** Could any default or dynamic pool hold `n` slots aligned to `alignSlots`? */
  feasible(n: number, alignSlots: number): boolean {
    return this.pools.some((p) => p.fits(n, alignSlots))
  }

  /** Marks a real placement as used, after checking it against everything the contract promises. */
  take(p: Placement, nslots: number, alignBytes: number): ModelPool {
    const pool = this.#poolAt(p.poolStart)
    const where = `mapping at 0x${p.addr.toString(16)}`
    if (p.slots !== nslots) throw new Error(`${where} holds ${p.slots} slots, the model expects ${nslots}`)
    if (p.addr !== pool.addr + p.slot * SLOT) throw new Error(`${where} is not slot ${p.slot} of its pool`)
    if (p.addr % alignBytes !== 0) throw new Error(`${where} is not aligned to ${alignBytes}`)
    if (p.slot < 0 || p.slot + nslots > pool.nslabs) throw new Error(`${where} runs past its pool`)
    if (Math.floor(p.slot / SEGMENT) !== Math.floor((p.slot + nslots - 1) / SEGMENT))
      throw new Error(`${where} (${nslots} slots) crosses a segment`)
    for (let i = p.slot; i < p.slot + nslots; i++) {
      if (pool.busy[i]) throw new Error(`${where} overlaps a live mapping at slot ${i}`)
      pool.busy[i] = 1
    }
    pool.used += nslots
    if (pool.kind !== 'transient') {
      this.used += nslots
      if (this.used > this.hiwater) this.hiwater = this.used
    }
    return pool
  }

  free(pool: ModelPool, slot: number, nslots: number): void {
    for (let i = slot; i < slot + nslots; i++) pool.busy[i] = 0
    pool.used -= nslots
    if (pool.kind === 'transient') this.transients.delete(pool)
    else this.used -= nslots
  }

  add(kind: PoolKind, addr: number, nslabs: number, nareas: number): ModelPool {
    const pool = new ModelPool(kind, addr, nslabs, nareas)
    if (kind === 'transient') this.transients.add(pool)
    else this.pools.push(pool)
    return pool
  }

  remove(pool: ModelPool): void {
    this.pools.splice(this.pools.indexOf(pool), 1)
  }

  #poolAt(start: number): ModelPool {
    for (const p of this.pools) if (p.addr === start) return p
    for (const p of this.transients) if (p.addr === start) return p
    throw new Error(`no model pool starts at 0x${start.toString(16)}`)
  }
}

import { SLOT_SIZE } from './layout.js'

/**
 * The live mappings of one pool, found by address without hashing. `#index[slot]` holds 1 + the
 * position, in a dense array, of the mapping whose address falls in that slot (0: none); positions
 * that fall free are reused. Costs 4 bytes per slot plus one array entry per live mapping, and, once
 * warm, add and delete allocate nothing (a Map rehashes its table as deleted entries pile up).
 */
export class LiveTable<T extends { readonly offset: number }> {
  readonly #index: Uint32Array
  readonly #items: Array<T | undefined> = []
  readonly #free: number[] = []

  constructor(nslabs: number) {
    this.#index = new Uint32Array(nslabs)
  }

  /** The live mapping whose address is `offset` bytes into the pool, if any. */
  get(offset: number): T | undefined {
    const at = this.#index[Math.floor(offset / SLOT_SIZE)]
    if (at === undefined || at === 0) return undefined
    const item = this.#items[at - 1]
    return item !== undefined && item.offset === offset ? item : undefined
  }

  add(item: T): void {
    const at = this.#free.length !== 0 ? this.#free.pop()! : this.#items.length
    this.#items[at] = item
    this.#index[Math.floor(item.offset / SLOT_SIZE)] = at + 1
  }

  delete(item: T): void {
    const slot = Math.floor(item.offset / SLOT_SIZE)
    const at = this.#index[slot]!
    if (at === 0 || this.#items[at - 1] !== item) return
    this.#items[at - 1] = undefined
    this.#free.push(at - 1)
    this.#index[slot] = 0
  }
}

/**
 * A max-tree over the searched pools, in search order: leaf p holds an upper bound on pool p's longest
 * free run, at least its Pool.runBound. A search of many pools asks for the next pool that may hold n
 * slots and never visits the others, so a thousand full dynamic pools cost a walk down the tree, not a
 * thousand area checks. Query and update are O(log pools); the tree is rebuilt when a pool comes or
 * goes (grow, shrink), which already costs O(pools).
 *
 * A leaf may stay above the pool's run bound (a map does not lower it): the search lowers it when it
 * finds nothing in the pool, a release raises it. A map and its unmap then leave the tree untouched.
 *
 *   node 1 = max(2, 3)           leaves at size..size+count-1; missing leaves hold 0
 *   node 2 = max(4, 5) ...
 */
export class PoolIndex {
  readonly #size: number
  readonly #tree: Uint8Array

  constructor(bounds: readonly number[]) {
    let size = 1
    while (size < bounds.length) size <<= 1
    this.#size = size
    const tree = new Uint8Array(2 * size)
    for (let i = 0; i < bounds.length; i++) tree[size + i] = bounds[i]!
    for (let i = size - 1; i >= 1; i--) tree[i] = Math.max(tree[2 * i]!, tree[2 * i + 1]!)
    this.#tree = tree
  }

  /** The bound stored for pool `p`. */
  get(p: number): number {
    return this.#tree[this.#size + p]!
  }

  /** Raises pool `p`'s bound to `bound` if it is higher (a release: the pool may hold more). */
  raise(p: number, bound: number): void {
    if (bound > this.#tree[this.#size + p]!) this.set(p, bound)
  }

  set(p: number, bound: number): void {
    const tree = this.#tree
    let i = this.#size + p
    if (tree[i] === bound) return
    tree[i] = bound
    for (i >>= 1; i >= 1; i >>= 1) {
      const max = tree[2 * i]! > tree[2 * i + 1]! ? tree[2 * i]! : tree[2 * i + 1]!
      if (tree[i] === max) return
      tree[i] = max
    }
  }

  /** The first pool at or after `from` whose bound is at least `min` (min >= 1), or -1. */
  next(from: number, min: number): number {
    const tree = this.#tree
    const size = this.#size
    if (from >= size) return -1
    // From the first pool (every search starts there), go down from the root.
    let i = from === 0 ? 1 : size + from
    // Up: while the subtree at i holds nothing big enough, move to the subtree just right of it.
    while (tree[i]! < min) {
      while ((i & 1) === 1) i >>= 1 // a right child: its parent's right neighbour comes next
      if (i === 0) return -1 // walked off the root's right edge
      i++
    }
    // Down: the leftmost leaf big enough.
    while (i < size) {
      i <<= 1
      if (tree[i]! < min) i++
    }
    return i - size
  }
}

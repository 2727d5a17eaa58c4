/** What the heap orders: a due time, and `seq` to break ties (first set, first fired). */
export interface HeapEntry {
  readonly at: number
  readonly seq: number
  /** Position in the heap, -1 once out: lets a cleared timer leave in O(log n). */
  heapIndex: number
}

/**
 * A binary min-heap of timers in `(at, seq)` order (SimPy's `(time, priority, eid)` tie-break). One
 * implementation for every clock that schedules in virtual time.
 */
export class TimerHeap<T extends HeapEntry> {
  readonly #heap: T[] = []

  get size(): number {
    return this.#heap.length
  }

  /** The next entry due, or undefined when empty. */
  peek(): T | undefined {
    return this.#heap[0]
  }

  push(entry: T): void {
    entry.heapIndex = this.#heap.length
    this.#heap.push(entry)
    this.#up(entry.heapIndex)
  }

  /** Takes out the entry at `i` (0 is the next due). */
  removeAt(i: number): void {
    const heap = this.#heap
    const removed = heap[i]!
    const last = heap.pop()!
    removed.heapIndex = -1
    if (last === removed) return
    heap[i] = last
    last.heapIndex = i
    this.#up(i)
    this.#down(last.heapIndex)
  }

  #less(a: T, b: T): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  #up(i: number): void {
    const heap = this.#heap
    const item = heap[i]!
    while (i > 0) {
      const parentIndex = (i - 1) >> 1
      const parent = heap[parentIndex]!
      if (!this.#less(item, parent)) break
      heap[i] = parent
      parent.heapIndex = i
      i = parentIndex
    }
    heap[i] = item
    item.heapIndex = i
  }

  #down(i: number): void {
    const heap = this.#heap
    const n = heap.length
    const item = heap[i]!
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      let child = l
      if (r < n && this.#less(heap[r]!, heap[l]!)) child = r
      const c = heap[child]!
      if (!this.#less(c, item)) break
      heap[i] = c
      c.heapIndex = i
      i = child
    }
    heap[i] = item
    item.heapIndex = i
  }
}

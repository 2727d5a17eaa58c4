import type { Clock } from './clock.js'

/**
 * One clock reading for a run of library code that admits several waiters at once: the frees of one
 * flush of settled `withMapping` calls (the one batch opened; the waiters one `unmap` admits measured
 * no gain from sharing, docs/performance.md). Nothing
 * but the library's own code runs inside a batch (no caller, no subscriber), so every admission in it
 * happens at the same instant give or take that code's microseconds, and one reading tells them all.
 * A reading is ~45–85 ns on Node 20 (docs/performance.md); a flush frees 16 mappings at a time in
 * the contended benchmark.
 *
 * Outside a batch every `now()` reads the clock. Code that hands control to others inside a batch (a
 * stream delivering to its subscribers) calls `interruptBatch()`, so that whatever runs after reads
 * afresh.
 */
let open = 0
let count = 0

/** Opens a batch, unless one is open already; pass the result to `closeBatch`. */
export function openBatch(): boolean {
  if (open !== 0) return false
  open = ++count
  return true
}

/** Closes the batch `openBatch` opened (nothing when it found one open). */
export function closeBatch(opened: boolean): void {
  if (opened) open = 0
}

/** Other code is about to run (or has run) inside the batch: the next reading is taken afresh. */
export function interruptBatch(): void {
  if (open !== 0) open = ++count
}

/** `clock`'s readings, one per batch inside a batch (see openBatch). */
export class BatchedReading {
  readonly #clock: Clock
  #batch = 0
  #at = 0

  constructor(clock: Clock) {
    this.#clock = clock
  }

  now(): number {
    const batch = open
    if (batch === 0) return this.#clock.now()
    if (this.#batch !== batch) {
      this.#at = this.#clock.now()
      this.#batch = batch
    }
    return this.#at
  }
}

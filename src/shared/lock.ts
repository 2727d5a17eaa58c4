/**
 * A mutex in one Int32 word of shared memory: the kernel's spinlock_t of io_tlb_area, made to sleep
 * when contended. The word is 0 (unlocked), 1 (locked, nobody waiting) or 2 (locked, maybe waiters):
 * Ulrich Drepper's third mutex from "Futexes Are Tricky" (2011), with Atomics.wait/notify as the futex.
 *
 * An uncontended lock and unlock cost one compare-exchange and one subtraction, and never a system
 * call. A contended lock spins a little first (the holder is usually a few hundred nanoseconds from
 * done, as a kernel area lock is), then marks the word 2 and sleeps in Atomics.wait.
 *
 * Atomics operations are sequentially consistent, so everything a thread wrote while holding the lock
 * is visible to the next thread that takes it: plain typed-array accesses to the data it guards are
 * race-free.
 */

/** Reads of the word before sleeping. */
const SPINS = 64

export function lock(word: Int32Array, at: number): void {
  let c = Atomics.compareExchange(word, at, 0, 1)
  if (c === 0) return
  for (let i = 0; i < SPINS; i++) {
    if (Atomics.load(word, at) === 0) {
      c = Atomics.compareExchange(word, at, 0, 1)
      if (c === 0) return
    }
  }
  // Mark the lock contended, then sleep while it stays so; taking it as 2 is conservative (an unlock
  // may notify nobody), never wrong.
  if (c !== 2) c = Atomics.exchange(word, at, 2)
  while (c !== 0) {
    Atomics.wait(word, at, 2)
    c = Atomics.exchange(word, at, 2)
  }
}

export function unlock(word: Int32Array, at: number): void {
  if (Atomics.sub(word, at, 1) !== 1) {
    // It was 2: somebody may sleep on the word.
    Atomics.store(word, at, 0)
    Atomics.notify(word, at, 1)
  }
}

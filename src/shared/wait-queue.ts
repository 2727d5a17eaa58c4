import {
  BLOCKING_USED,
  C_BUDGET,
  N_GRANTS,
  N_WAITS,
  Q_FREE,
  Q_HEAD,
  Q_LOCK,
  Q_TAIL,
  Q_WAITING,
} from './layout.js'
import { lock, unlock } from './lock.js'
import type { SharedPool } from './shared-pool.js'

/**
 * The blocking callers' FIFO, shared by every thread: the budget mode of DESIGN §4 across threads.
 * Records live in `waiters` (16 words each), linked into one doubly linked queue and one free list
 * under the queue lock, so that enqueue, grant of the head and removal of a timed-out waiter are O(1).
 *
 *   record r:  [state | next | prev | nslots | alignMask | matchMask | origAddr | cpu | size | offset
 *               | result | generation | boundaryMask | ...]
 *   head → r3 ⇄ r0 ⇄ r7 ← tail          free → r1 → r2 → r4 → ...
 *
 * A head that finds no room while no slot is in use anywhere is refused (state REFUSED): nothing
 * could ever let it in (see ThrottleHost.stranded).
 *
 * Direct handoff: whoever frees slots or budget (an unmap in any thread, a waiter leaving the head)
 * takes the queue lock and grants heads while they fit: it reserves the head's budget, allocates its
 * slots on its behalf (the record holds the request), stores the address in the record and only then
 * wakes its owner (state GRANTED, Atomics.notify). A newcomer can never take what a woken waiter was
 * promised, and a large head is never overtaken by small newcomers.
 *
 * A record belongs to the thread that enqueued it from enqueue until free: only that thread waits on
 * its state word, cancels it or frees it, so a record is never reused under a sleeping owner.
 */

/** Words per record. */
export const RECORD_WORDS = 16
const R_STATE = 0
const R_NEXT = 1
const R_PREV = 2
const R_NSLOTS = 3
const R_ALIGN = 4
const R_MATCH = 5
const R_ORIG = 6
const R_CPU = 7
const R_SIZE = 8
const R_OFFSET = 9
const R_RESULT = 10
const R_GENERATION = 11
const R_BOUNDARY = 12
/**
 * A boundary mask as a record keeps it: masks of 2^30 or more bits all act as 2^30 - 1 in the search
 * (its address arithmetic keeps the low 30 bits of the pool's start), and 0 (none) stays 0.
 */
const LARGEST_BOUNDARY = 2 ** 30 - 1

export const FREE = 0
export const WAITING = 1
export const GRANTED = 2
export const CANCELLED = 3
/** Refused by a grant pass: no room, and no slot in use anywhere, so no release could ever make some. */
export const REFUSED = 4

/** What a blocking request asks for (the parsed map request). */
export interface BlockingRequest {
  readonly cpu: number
  readonly nslots: number
  readonly alignMask: number
  readonly matchMask: number
  readonly origAddr: number
  readonly boundaryMask: number
  readonly sizeBytes: number
  readonly offset: number
}

export class SharedWaitQueue {
  readonly #meta: Int32Array
  readonly #w: Int32Array

  constructor(
    meta: Int32Array,
    waiters: Int32Array,
    private readonly pool: SharedPool,
  ) {
    this.#meta = meta
    this.#w = waiters
  }

  /** The word a record's owner waits on. */
  stateIndex(rec: number): number {
    return rec * RECORD_WORDS + R_STATE
  }

  state(rec: number): number {
    return Atomics.load(this.#w, rec * RECORD_WORDS + R_STATE)
  }

  /** Address offset and generation of a granted record. */
  result(rec: number): number {
    return this.#w[rec * RECORD_WORDS + R_RESULT]!
  }

  generation(rec: number): number {
    return this.#w[rec * RECORD_WORDS + R_GENERATION]!
  }

  /**
   * Reserves `nslots` of the blocking budget if they fit: a compare-exchange loop, so that the queue's
   * grants and the lock-free fast path never take more than the budget together.
   */
  reserve(nslots: number): boolean {
    const meta = this.#meta
    const budget = meta[C_BUDGET]!
    let used = Atomics.load(meta, BLOCKING_USED)
    for (;;) {
      if (used + nslots > budget) return false
      const seen = Atomics.compareExchange(meta, BLOCKING_USED, used, used + nslots)
      if (seen === used) return true
      used = seen
    }
  }

  /** Returns budget (an unmap of a blocking mapping, or a reservation that found no slots). */
  unreserve(nslots: number): void {
    Atomics.sub(this.#meta, BLOCKING_USED, nslots)
  }

  /** True when somebody waits: the release path looks before it takes the lock. */
  get waiting(): number {
    return Atomics.load(this.#meta, Q_WAITING)
  }

  /**
   * Appends a request at the tail and runs a grant pass (it may be granted at once, if it is the head
   * and fits). Returns its record, or -1 when every record is in use.
   */
  enqueue(req: BlockingRequest): number {
    const meta = this.#meta
    const w = this.#w
    lock(meta, Q_LOCK)
    const rec = meta[Q_FREE]!
    if (rec === -1) {
      unlock(meta, Q_LOCK)
      return -1
    }
    const r = rec * RECORD_WORDS
    meta[Q_FREE] = w[r + R_NEXT]!
    w[r + R_NSLOTS] = req.nslots
    w[r + R_ALIGN] = req.alignMask
    w[r + R_MATCH] = req.matchMask
    w[r + R_ORIG] = req.origAddr % 2 ** 30
    w[r + R_BOUNDARY] = req.boundaryMask > LARGEST_BOUNDARY ? LARGEST_BOUNDARY : req.boundaryMask
    w[r + R_CPU] = req.cpu
    w[r + R_SIZE] = req.sizeBytes
    w[r + R_OFFSET] = req.offset
    w[r + R_NEXT] = -1
    const tail = meta[Q_TAIL]!
    w[r + R_PREV] = tail
    if (tail === -1) meta[Q_HEAD] = rec
    else w[tail * RECORD_WORDS + R_NEXT] = rec
    meta[Q_TAIL] = rec
    Atomics.store(w, r + R_STATE, WAITING)
    // Counted before the grant pass below looks for slots: a release that reads 0 here happened
    // before this increment, so that pass sees the slots it freed (no lost wakeup).
    Atomics.add(meta, Q_WAITING, 1)
    Atomics.add(meta, N_WAITS, 1)
    // Only a record that became the head needs the pass. Behind a head, the count was not 0, so every
    // release since ran a pass of its own; and a newcomer is not a release (DESIGN §4: heads are
    // admitted on releases and growth), so it gives the head no extra try that Swiotlb would not: a
    // search can succeed after a newcomer only because an allocation moved an area's cursor.
    if (tail === -1) this.#grantHeads()
    unlock(meta, Q_LOCK)
    return rec
  }

  /** A grant pass, if anybody waits: after every release of slots or budget. */
  drain(): void {
    const meta = this.#meta
    if (Atomics.load(meta, Q_WAITING) === 0) return
    lock(meta, Q_LOCK)
    this.#grantHeads()
    unlock(meta, Q_LOCK)
  }

  /**
   * Takes a waiting record out of the queue (its owner's timeout or abort). Returns false when it was
   * granted already: the owner then has a mapping and must take it. A head that leaves lets the next
   * one be granted.
   */
  cancel(rec: number): boolean {
    const meta = this.#meta
    const w = this.#w
    const r = rec * RECORD_WORDS
    lock(meta, Q_LOCK)
    if (Atomics.load(w, r + R_STATE) !== WAITING) {
      unlock(meta, Q_LOCK)
      return false
    }
    const wasHead = meta[Q_HEAD] === rec
    this.#unlink(rec)
    Atomics.store(w, r + R_STATE, CANCELLED)
    // Wake the owner's own Atomics.waitAsync, so that nothing stays pending; before the grants below,
    // so that on one thread the leaver settles before those its leaving admits (as Swiotlb does).
    Atomics.notify(w, r + R_STATE)
    if (wasHead) this.#grantHeads()
    unlock(meta, Q_LOCK)
    return true
  }

  /** Returns a granted or cancelled record to the free list (its owner, once done with it). */
  free(rec: number): void {
    const meta = this.#meta
    const w = this.#w
    const r = rec * RECORD_WORDS
    lock(meta, Q_LOCK)
    Atomics.store(w, r + R_STATE, FREE)
    w[r + R_NEXT] = meta[Q_FREE]!
    meta[Q_FREE] = rec
    unlock(meta, Q_LOCK)
  }

  /** The queue lock is held. */
  #unlink(rec: number): void {
    const meta = this.#meta
    const w = this.#w
    const r = rec * RECORD_WORDS
    const next = w[r + R_NEXT]!
    const prev = w[r + R_PREV]!
    if (prev === -1) meta[Q_HEAD] = next
    else w[prev * RECORD_WORDS + R_NEXT] = next
    if (next === -1) meta[Q_TAIL] = prev
    else w[next * RECORD_WORDS + R_PREV] = prev
    Atomics.sub(meta, Q_WAITING, 1)
  }

  /** The queue lock is held: grants heads, in order, while each fits the budget and finds slots. */
  #grantHeads(): void {
    const meta = this.#meta
    const w = this.#w
    for (let rec = meta[Q_HEAD]!; rec !== -1; rec = meta[Q_HEAD]!) {
      const r = rec * RECORD_WORDS
      const nslots = w[r + R_NSLOTS]!
      if (!this.reserve(nslots)) return
      const addrOffset = this.pool.find(
        w[r + R_CPU]!,
        nslots,
        w[r + R_ALIGN]!,
        w[r + R_MATCH]!,
        w[r + R_ORIG]!,
        w[r + R_BOUNDARY]!,
        w[r + R_SIZE]!,
        w[r + R_OFFSET]!,
        true,
      )
      if (addrOffset < 0) {
        this.unreserve(nslots)
        // Nothing mapped: no release is left to come, and the areas' cursors move only when slots are
        // taken, so the kernel's search would miss this head for ever. It fails as the kernel's map
        // does (the owner throws SwiotlbFullError), and the next head gets its turn. An unmap racing
        // with this read frees its slots before it looks at the queue, so it runs a pass of its own.
        if (this.pool.used() !== 0) return
        this.#unlink(rec)
        Atomics.store(w, r + R_STATE, REFUSED)
        Atomics.notify(w, r + R_STATE, 1)
        continue
      }
      w[r + R_RESULT] = addrOffset
      w[r + R_GENERATION] = this.pool.lastGeneration
      this.#unlink(rec)
      Atomics.add(meta, N_GRANTS, 1)
      Atomics.store(w, r + R_STATE, GRANTED)
      Atomics.notify(w, r + R_STATE, 1)
    }
  }
}

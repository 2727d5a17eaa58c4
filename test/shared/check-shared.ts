import { SEGMENT_SLOTS } from '../../src/allocator/layout.js'
import {
  A_LOCK,
  A_USED,
  areaAt,
  BLOCKING_USED,
  C_HIWATER_MODE,
  EXACT_USED,
  MODE_EXACT,
  Q_FREE,
  Q_HEAD,
  Q_LOCK,
  Q_TAIL,
  Q_WAITING,
  S_FIRST,
  S_SHAPE,
  S_SIZE,
  type SharedBuffers,
  SLOT_WORDS,
  shapeBlocking,
  shapeSlots,
  viewsOf,
} from '../../src/shared/layout.js'
import { FREE, GRANTED, RECORD_WORDS, WAITING } from '../../src/shared/wait-queue.js'

/** A live allocation: first slot, slot count, whether it counts against the blocking budget. */
export interface LiveRange {
  first: number
  nslots: number
  blocking: boolean
}

/** What a quiescent pool must look like. `owned`: records granted but not yet freed by their owner. */
export interface Expected {
  live: readonly LiveRange[]
  /** Records enqueued and still WAITING, all threads. */
  waiting: number
  /** Records out of the free list and not WAITING (granted, not yet taken). */
  owned?: number
}

/**
 * Checks a shared pool with no thread inside a map or unmap: no lock held; no two live ranges overlap
 * or cross a segment; the free-run counters recomputed from the live ranges equal the pool's, and no
 * segment's bound is below its longest free run; each
 * area's `used` and (in exact mode) the global `used` equal the live slots; every live range has its
 * record; the blocking budget in use is the live blocking slots; the queue is a well-formed list of
 * `waiting` records and every other record is free (or owned). Throws with the first difference.
 */
export function checkShared(buffers: SharedBuffers, expected: Expected): void {
  const v = viewsOf(buffers)
  const { meta, slots, waiters, nslabs, nareas, areaNslabs } = v
  const list = v.table.counters()
  const fail = (what: string): never => {
    throw new Error(`shared pool: ${what}`)
  }
  if (Atomics.load(meta, Q_LOCK) !== 0) fail('queue lock held')
  for (let a = 0; a < nareas; a++) if (Atomics.load(meta, areaAt(a) + A_LOCK) !== 0) fail(`area ${a} locked`)
  const used = new Uint8Array(nslabs)
  let blocking = 0
  for (const r of expected.live) {
    if (Math.floor(r.first / SEGMENT_SLOTS) !== Math.floor((r.first + r.nslots - 1) / SEGMENT_SLOTS))
      fail(`range ${r.first}+${r.nslots} crosses a segment`)
    for (let i = r.first; i < r.first + r.nslots; i++) {
      if (used[i]) fail(`slot ${i} is in two live mappings`)
      used[i] = 1
    }
    if (r.blocking) blocking += r.nslots
  }
  let run = 0
  for (let i = nslabs - 1; i >= 0; i--) {
    if ((i + 1) % SEGMENT_SLOTS === 0) run = 0
    run = used[i] ? 0 : run + 1
    if (list[i] !== run) fail(`list[${i}] is ${list[i]}, expected ${run}`)
  }
  // A segment's bound may exceed its longest free run, never fall below it: the search skips a
  // segment whose bound is below the request.
  const bounds = v.table.longest
  for (let g = 0; g < bounds.length; g++) {
    const longest = Math.max(...list.subarray(g * SEGMENT_SLOTS, (g + 1) * SEGMENT_SLOTS))
    if (bounds[g]! < longest) fail(`segment ${g}'s bound is ${bounds[g]}, below its free run of ${longest}`)
  }
  let total = 0
  for (let a = 0; a < nareas; a++) {
    let n = 0
    for (let i = a * areaNslabs; i < (a + 1) * areaNslabs; i++) n += used[i]!
    if (meta[areaAt(a) + A_USED] !== n) fail(`area ${a} used ${meta[areaAt(a) + A_USED]}, expected ${n}`)
    total += n
  }
  if (meta[C_HIWATER_MODE] === MODE_EXACT && meta[EXACT_USED] !== total)
    fail(`exact used ${meta[EXACT_USED]}, expected ${total}`)
  let records = 0
  for (let s = 0; s < nslabs; s++) {
    const at = s * SLOT_WORDS
    if (slots[at + S_SIZE] === 0) continue
    records++
    const first = slots[at + S_FIRST]!
    const shape = slots[at + S_SHAPE]!
    const r = expected.live.find((l) => l.first === first)
    if (r === undefined || r.nslots !== shapeSlots(shape) || r.blocking !== shapeBlocking(shape))
      fail(`slot ${s} records a mapping at ${first}+${shapeSlots(shape)} that is not live`)
  }
  if (records !== expected.live.length)
    fail(`${records} slot records for ${expected.live.length} live mappings`)
  if (meta[BLOCKING_USED] !== blocking)
    fail(`blocking budget in use ${meta[BLOCKING_USED]}, expected ${blocking}`)
  checkQueue(meta, waiters, expected)
}

function checkQueue(meta: Int32Array, waiters: Int32Array, expected: Expected): void {
  const capacity = waiters.length / RECORD_WORDS
  const seen = new Uint8Array(capacity)
  let n = 0
  let prev = -1
  for (let rec = meta[Q_HEAD]!; rec !== -1; rec = waiters[rec * RECORD_WORDS + 1]!) {
    if (seen[rec]) throw new Error(`shared pool: queue loops at record ${rec}`)
    seen[rec] = 1
    if (waiters[rec * RECORD_WORDS + 2] !== prev)
      throw new Error(`shared pool: record ${rec} has a wrong prev`)
    if (waiters[rec * RECORD_WORDS] !== WAITING)
      throw new Error(`shared pool: queued record ${rec} is not WAITING`)
    prev = rec
    n++
  }
  if (meta[Q_TAIL] !== prev) throw new Error(`shared pool: tail ${meta[Q_TAIL]}, expected ${prev}`)
  if (n !== expected.waiting || meta[Q_WAITING] !== n)
    throw new Error(`shared pool: ${n} queued, counter ${meta[Q_WAITING]}, expected ${expected.waiting}`)
  let free = 0
  for (let rec = meta[Q_FREE]!; rec !== -1; rec = waiters[rec * RECORD_WORDS + 1]!) {
    if (seen[rec]) throw new Error(`shared pool: record ${rec} is both queued and free`)
    if (waiters[rec * RECORD_WORDS] !== FREE) throw new Error(`shared pool: free record ${rec} is not FREE`)
    seen[rec] = 1
    free++
  }
  const owned = expected.owned ?? 0
  if (free + n + owned !== capacity)
    throw new Error(`shared pool: ${free} free + ${n} queued + ${owned} owned records of ${capacity}`)
}

/** The live range of a mapping, from its slot record (checked against its address). */
export function rangeOf(buffers: SharedBuffers, m: { offset: number; slots: number }): LiveRange {
  const v = viewsOf(buffers)
  const at = (m.offset >>> 11) * SLOT_WORDS
  const first = v.slots[at + S_FIRST]!
  const shape = v.slots[at + S_SHAPE]!
  if (v.slots[at + S_SIZE] === 0 || shapeSlots(shape) !== m.slots || m.offset < first * 2048)
    throw new Error(`shared pool: no record for the mapping at offset ${m.offset}`)
  return { first, nslots: m.slots, blocking: shapeBlocking(shape) }
}

/**
 * The records of the wait queue that are out of the free list but no longer queued: granted ones
 * (their allocation is live, their owner has not taken it yet) and cancelled ones (their owner has not
 * freed them yet). A pool stopped at a barrier may hold some.
 */
export function ownedRecords(buffers: SharedBuffers): {
  granted: LiveRange[]
  owned: number
  waiting: number
} {
  const v = viewsOf(buffers)
  const granted: LiveRange[] = []
  let owned = 0
  let waiting = 0
  for (let rec = 0; rec < v.waiters.length / RECORD_WORDS; rec++) {
    const state = v.waiters[rec * RECORD_WORDS]!
    if (state === WAITING) waiting++
    else if (state !== FREE) owned++
    if (state === GRANTED) {
      const offset = v.waiters[rec * RECORD_WORDS + 10]!
      const shape = v.slots[(offset >>> 11) * SLOT_WORDS + S_SHAPE]!
      granted.push(rangeOf(buffers, { offset, slots: shapeSlots(shape) }))
    }
  }
  return { granted, owned, waiting }
}

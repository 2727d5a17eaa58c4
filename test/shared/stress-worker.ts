import { parentPort, workerData } from 'node:worker_threads'
import { type SharedMapping, SharedSwiotlb, ThrottleTimeoutError } from '../../src/index.js'
import { Rng } from '../../src/sim/rng.js'
import {
  ARRIVED,
  GEN,
  MAILBOX,
  MAX_LIVE,
  PAUSE,
  PHASE,
  REPORT_WORDS,
  STOP,
  type StressWorkerData,
  type WorkerCounts,
} from './stress-protocol.js'

// One thread of the stress test: random non-blocking, blocking (async and sync) maps with timeouts
// and aborts, unmaps of its own mappings and of mappings other threads handed over, on one shared
// pool; every mapping's bytes are checked so that no thread ever sees another's.

const data = workerData as StressWorkerData
const pool = SharedSwiotlb.attach(data.handle, { cpu: data.index })
const ctl = new Int32Array(data.ctl)
const mailbox = new Int32Array(data.mailbox)
const report = new Int32Array(data.reports, data.index * REPORT_WORDS * 4, REPORT_WORDS)
const rng = new Rng(data.seed, data.index)
const POOL_START = 2 ** 32
const DIRS = ['to-device', 'from-device', 'bidirectional'] as const

interface Held {
  m: SharedMapping
  orig: Uint8Array
  /** Tag of the bytes the "device" wrote into the mapping. */
  device: number
  blocking: boolean
}
const live: Held[] = []
const pending = new Set<Promise<void>>()
const aborts = new Set<AbortController>()
const counts: WorkerCounts = {
  tryMaps: 0,
  tryMapFull: 0,
  blockingAsync: 0,
  blockingSync: 0,
  admitted: 0,
  timeouts: 0,
  aborts: 0,
  unmaps: 0,
  handoffs: 0,
  crossUnmaps: 0,
  dataChecks: 0,
  barriers: 0,
  issued: 0,
  settled: 0,
}
let stopping = false

function fill(buf: Uint8Array, tag: number): void {
  for (let i = 0; i < buf.length; i++) buf[i] = (tag + i * 31) & 0xff
}

function holds(buf: Uint8Array, tag: number): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i] !== ((tag + i * 31) & 0xff)) return false
  return true
}

function fail(what: string): never {
  throw new Error(`worker ${data.index}: ${what}`)
}

function size(): number {
  const slots = rng.below(10) === 0 ? 17 + rng.below(48) : 1 + rng.below(8)
  return slots * 2048 - rng.below(2048)
}

function request(): { orig: Uint8Array; tag: number; dir: (typeof DIRS)[number] } {
  const orig = new Uint8Array(size())
  const tag = rng.below(2 ** 30)
  fill(orig, tag)
  return { orig, tag, dir: DIRS[rng.below(3)]! }
}

/** A new mapping: it must show exactly the caller's bytes; then the "device" writes its own. */
function adopt(m: SharedMapping, orig: Uint8Array, tag: number, blocking: boolean): void {
  counts.dataChecks++
  if (!holds(m.bytes, tag)) fail(`mapping at 0x${m.addr.toString(16)} shows bytes that are not its caller's`)
  const device = rng.below(2 ** 30)
  fill(m.bytes, device)
  live.push({ m, orig, device, blocking })
  if (stopping) release(live.length - 1)
}

/** Unmaps a mapping of ours: nobody else wrote into it, and the copy back brings the device's bytes. */
function release(at: number): void {
  const h = live.splice(at, 1)[0]!
  counts.dataChecks++
  if (!holds(h.m.bytes, h.device)) fail(`another thread wrote into the mapping at 0x${h.m.addr.toString(16)}`)
  h.m.unmap()
  counts.unmaps++
  if (h.m.dir !== 'to-device' && !holds(h.orig, h.device))
    fail('the copy back did not bring the device bytes')
}

function blockingAsync(): void {
  const { orig, tag, dir } = request()
  const withTimeout = rng.below(10) < 7
  const ac = withTimeout ? undefined : new AbortController()
  const options = withTimeout
    ? { mayBlock: true, dir, timeoutMs: 1 + rng.below(20) }
    : { mayBlock: true, dir, signal: ac!.signal }
  counts.blockingAsync++
  counts.issued++
  if (ac !== undefined) {
    aborts.add(ac)
    setTimeout(() => ac.abort(new Error('abort')), rng.below(15))
  }
  const p: Promise<void> = pool.map(orig, options).then(
    (m) => {
      counts.admitted++
      adopt(m, orig, tag, true)
    },
    (e: Error) => {
      if (e instanceof ThrottleTimeoutError) counts.timeouts++
      else if (e.message === 'abort') counts.aborts++
      else throw e
    },
  )
  const done = p.finally(() => {
    counts.settled++
    pending.delete(done)
    if (ac !== undefined) aborts.delete(ac)
  })
  pending.add(done)
}

function blockingSync(): void {
  const { orig, tag, dir } = request()
  counts.blockingSync++
  try {
    adopt(pool.mapSync(orig, { dir, timeoutMs: rng.below(4) }), orig, tag, true)
    counts.admitted++
  } catch (e) {
    if (!(e instanceof ThrottleTimeoutError)) throw e
    counts.timeouts++
  }
}

/** Hands a mapping to whichever thread takes it from the mailbox; it unmaps it by address. */
function handoff(): void {
  const at = rng.below(live.length)
  const h = live[at]!
  if (!holds(h.m.bytes, h.device)) fail('another thread wrote into a mapping before its handoff')
  if (Atomics.compareExchange(mailbox, rng.below(MAILBOX), 0, h.m.addr - POOL_START + 1) !== 0) return
  live.splice(at, 1)
  counts.handoffs++
}

function takeMail(): void {
  const v = Atomics.exchange(mailbox, rng.below(MAILBOX), 0)
  if (v === 0) return
  pool.unmap(POOL_START + v - 1)
  counts.crossUnmaps++
}

/** Parks at a barrier: reports live mappings and pending calls, sleeps until the main thread is done. */
function park(): void {
  const gen = Atomics.load(ctl, GEN)
  report[0] = live.length
  report[1] = pending.size
  live.forEach((h, i) => {
    report[2 + 3 * i] = h.m.addr - POOL_START
    report[3 + 3 * i] = h.m.slots
    report[4 + 3 * i] = h.blocking ? 1 : 0
  })
  counts.barriers++
  Atomics.add(ctl, ARRIVED, 1)
  Atomics.notify(ctl, ARRIVED)
  Atomics.wait(ctl, GEN, gen)
}

for (let op = 0; Atomics.load(ctl, PHASE) !== STOP; op++) {
  if (Atomics.load(ctl, PHASE) === PAUSE) {
    // Let settled calls finish their callbacks first: a fast-path map resolves on a microtask.
    await new Promise((r) => setImmediate(r))
    park()
  }
  if (op % 8 === 0) await new Promise((r) => setImmediate(r))
  const r = rng.below(100)
  if (live.length >= MAX_LIVE || (r < 30 && live.length > 0)) release(rng.below(live.length))
  else if (r < 58) {
    const { orig, tag, dir } = request()
    counts.tryMaps++
    const m = pool.tryMap(orig, { dir })
    if (m === undefined) counts.tryMapFull++
    else adopt(m, orig, tag, false)
  } else if (r < 80) {
    if (pending.size < 8) blockingAsync()
  } else if (r < 90) blockingSync()
  else if (r < 95 && live.length > 0) handoff()
  else takeMail()
}

// Stop: abort what waits without a timeout, give everything back, let every waiter settle.
stopping = true
for (const ac of aborts) ac.abort(new Error('abort'))
while (live.length > 0) release(live.length - 1)
while (pending.size > 0) await Promise.all([...pending])
pool.close()
parentPort!.postMessage(counts)

import { parentPort, workerData } from 'node:worker_threads'
import type * as Library from '../../src/index.js'
import type { SharedSwiotlbHandle } from '../../src/index.js'

// One thread of the `threads` bench. It loads the library under test (the URL the main thread
// passes: src/, or BENCH_SRC's copy) and runs trials on request:
//   throughput: map (area lock, hiwater work, bounce copy) + unmap in a loop, 8 mappings in flight
//   spiky:      phases of maps up to a planned level and back, for the hiwater error

const { libUrl, index } = workerData as { libUrl: string; index: number }
const lib = (await import(libUrl)) as typeof Library

export interface ThroughputTrial {
  kind: 'throughput'
  handle: SharedSwiotlbHandle
  /** Bytes per mapping; with a pool without backing, a byte count (no copy). */
  bytes: number
  ms: number
  /** [ready count, go flag]: every thread starts at once. */
  ctl: SharedArrayBuffer
  threads: number
}

export interface SpikyTrial {
  kind: 'spiky'
  handle: SharedSwiotlbHandle
  /** slots[phase]: this thread's target live slots at the end of each up phase. */
  plan: number[]
  holdMs: number
  /** [arrived count, generation] for the phase barrier. */
  ctl: SharedArrayBuffer
  threads: number
}

const DEPTH = 8

function barrier(ctl: Int32Array, threads: number): void {
  const gen = Atomics.load(ctl, 1)
  if (Atomics.add(ctl, 0, 1) === threads - 1) {
    Atomics.store(ctl, 0, 0)
    Atomics.add(ctl, 1, 1)
    Atomics.notify(ctl, 1)
  } else Atomics.wait(ctl, 1, gen)
}

function throughput(t: ThroughputTrial): { ops: number; ms: number } {
  const pool = lib.SharedSwiotlb.attach(t.handle, { cpu: index })
  const buf = new Uint8Array(t.bytes).fill(index + 1)
  const source = t.handle.memory !== undefined ? buf : t.bytes
  const ring: ReturnType<typeof pool.tryMap>[] = new Array(DEPTH).fill(undefined)
  const ctl = new Int32Array(t.ctl)
  barrier(ctl, t.threads)
  const start = performance.now()
  const end = start + t.ms
  let ops = 0
  let now = start
  while (now < end) {
    for (let i = 0; i < 256; i++) {
      const slot = ops++ & (DEPTH - 1)
      ring[slot]?.unmap()
      ring[slot] = pool.tryMap(source, { dir: 'to-device' })
    }
    now = performance.now()
  }
  for (const m of ring) m?.unmap()
  return { ops, ms: now - start }
}

/** Up phases map (1 to 4 slots at a time) to the plan's level and hold it; down phases unmap all. */
function spiky(t: SpikyTrial): { peaks: number[] } {
  const pool = lib.SharedSwiotlb.attach(t.handle, { cpu: index })
  const ctl = new Int32Array(t.ctl)
  const sleeper = new Int32Array(new SharedArrayBuffer(4))
  const held: NonNullable<ReturnType<typeof pool.tryMap>>[] = []
  const peaks: number[] = []
  for (const target of t.plan) {
    let slots = 0
    for (let k = 0; slots < target; k++) {
      const n = Math.min(1 + (k % 4), target - slots)
      const m = pool.tryMap(n * 2048)
      if (m === undefined) throw new Error(`spiky plan does not fit: ${target} slots in thread ${index}`)
      held.push(m)
      slots += n
    }
    peaks.push(slots)
    Atomics.wait(sleeper, 0, 0, t.holdMs)
    barrier(ctl, t.threads)
    for (const m of held.splice(0)) m.unmap()
    barrier(ctl, t.threads)
  }
  return { peaks }
}

parentPort!.on('message', (t: ThroughputTrial | SpikyTrial | 'exit') => {
  if (t === 'exit') process.exit(0)
  parentPort!.postMessage(t.kind === 'throughput' ? throughput(t) : spiky(t))
})
parentPort!.postMessage('ready')

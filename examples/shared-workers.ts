// One bounce pool shared by worker threads. The main thread makes it and posts its handle; each worker
// attaches and maps from its own area; blocking maps of all threads wait in one FIFO; any thread may
// unmap any mapping by its address.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { type SharedMapping, SharedSwiotlb, type SharedSwiotlbHandle } from 'dma-throttle'

interface Job {
  handle: SharedSwiotlbHandle
  cpu: number
}

if (isMainThread) {
  // 1 MiB, one area per worker; blocking maps may hold half of it.
  const pool = new SharedSwiotlb({ size: '1M', areas: 2, throttle: { high: 0.5 }, hiwater: 'batched' })
  const workers = [0, 1].map((cpu) => start({ handle: pool.handle, cpu }))
  const reports = await Promise.all(
    workers.map(
      (w) =>
        new Promise<{ cpu: number; maps: number; lastAddr: number }>((resolve, reject) => {
          w.once('message', resolve)
          w.once('error', reject)
        }),
    ),
  )
  for (const r of reports) {
    console.log(`worker on cpu ${r.cpu}: ${r.maps} blocking maps, each bounced, checked and unmapped`)
    // Each worker left its last mapping to us: unmap it by address, from this thread.
    pool.unmap(r.lastAddr)
  }
  const s = pool.stats()
  console.log(`after the run: used ${s.used} slots, ${s.throttle.waits} maps waited in the shared FIFO`)
  console.log(`hiwater (batched) ${s.hiwater} slots, within ${s.hiwaterBound} slots of the exact peak`)
  pool.close()
} else {
  const { handle, cpu } = workerData as Job
  const pool = SharedSwiotlb.attach(handle, { cpu })
  const inFlight: SharedMapping[] = []
  let maps = 0
  for (let i = 0; i < 200; i++) {
    const buf = new Uint8Array(4096 * (1 + (i % 16))).fill(cpu + 1)
    // Waits (without blocking this thread) while the budget of all threads together is spent.
    const m = await pool.map(buf, { mayBlock: true, dir: 'bidirectional', timeoutMs: 5000 })
    if (m.bytes.some((b) => b !== cpu + 1)) throw new Error('the device saw bytes that are not ours')
    m.bytes.fill(0xd0 + cpu) // the "device" writes its answer
    inFlight.push(m)
    maps++
    if (inFlight.length > 4) inFlight.shift()!.unmap() // copies the answer back into its buffer
  }
  const last = inFlight.pop()!
  for (const m of inFlight) m.unmap()
  pool.close()
  parentPort!.postMessage({ cpu, maps, lastAddr: last.addr })
}

function start(job: Job): Worker {
  // Node gives a worker no TypeScript loader, so this example's worker registers tsx first. Compiled
  // to JavaScript, `new Worker(new URL(import.meta.url), { workerData: job })` is all it takes.
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}) })`
  return new Worker(code, { eval: true, workerData: job })
}

import { parentPort, workerData } from 'node:worker_threads'
import { SharedSwiotlb } from '../../src/index.js'

// Waits for a blocking map with no timeout and nothing else to do: the pool must keep this thread
// alive until the grant (a pending Atomics.waitAsync alone would let it exit).
const pool = SharedSwiotlb.attach(workerData, { cpu: 1 })
pool.map(2048, { mayBlock: true }).then((m) => {
  parentPort!.postMessage({ granted: m.addr })
  m.unmap()
})
parentPort!.postMessage({ waiting: pool.stats().throttle.waiting })

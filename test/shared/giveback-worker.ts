import { parentPort, workerData } from 'node:worker_threads'
import { SharedSwiotlb } from '../../src/index.js'

/** The other thread of fast-path-giveback.test.ts: one blocking map of 2 slots, on request. */
const pool = SharedSwiotlb.attach(workerData, { cpu: 0 })
parentPort!.once('message', () => {
  pool.map(4096, { mayBlock: true, timeoutMs: 300 }).then(
    (m) => {
      m.unmap()
      parentPort!.postMessage('mapped')
    },
    (e: Error) => parentPort!.postMessage(e.name),
  )
})
parentPort!.postMessage('ready')

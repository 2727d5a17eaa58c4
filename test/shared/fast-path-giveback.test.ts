import { once } from 'node:events'
import { expect, it } from 'vitest'
import { SharedSwiotlb } from '../../src/index.js'
import { A_LOCK, areaAt, BLOCKING_USED } from '../../src/shared/layout.js'
import { checkShared } from './check-shared.js'
import { tsWorker } from './ts-worker.js'

/**
 * Found by review (real threads): a fast path reserves budget, then its search finds no room. A head
 * that queued meanwhile, for want of that budget, must get it when the fast path gives it back, as it
 * would after an unmap; it used to wait for a release that never came. The race is forced, not hoped
 * for: this thread holds the area lock while the worker's fast path waits on it, and queues the head
 * then. Waits are bounded (the head's timeout, a deadline on the handshake); nothing asserts timing.
 */
it('budget a fast path reserved and gave back goes to the head that queued meanwhile', async () => {
  // 128 slots, a budget of 64: 62 held by a blocking map, slots 62..126 by a non-blocking one.
  const pool = new SharedSwiotlb({ size: 128 * 2048, areas: 1, backing: false, throttle: { high: 0.5 } })
  const held = await pool.map(62 * 2048, { mayBlock: true })
  const fill = pool.tryMap(65 * 2048)!
  const meta = new Int32Array(pool.handle.meta)
  const lockAt = areaAt(0) + A_LOCK
  const worker = tsWorker(new URL('./giveback-worker.ts', import.meta.url), { workerData: pool.handle })
  try {
    expect((await once(worker, 'message'))[0]).toBe('ready')
    Atomics.store(meta, lockAt, 1) // this thread is inside a map of area 0
    worker.postMessage('go')
    // The worker's fast path has reserved its 2 slots of budget and waits on the lock (word 2).
    const deadline = Date.now() + 10_000
    while (!(Atomics.load(meta, BLOCKING_USED) === 64 && Atomics.load(meta, lockAt) === 2)) {
      if (Date.now() > deadline) throw new Error('the worker never reached the area lock')
    }
    const head = pool.map(2048, { mayBlock: true, timeoutMs: 1000 }) // no budget left: it queues
    expect(pool.stats().throttle.waiting).toBe(1)
    // Leave the lock as lock.ts's unlock does: the worker's search finds no 2 slots and gives back.
    Atomics.store(meta, lockAt, 0)
    Atomics.notify(meta, lockAt, 1)
    const m = await head
    expect(m.addr - 2 ** 32).toBe(127 * 2048)
    m.unmap()
    held.unmap()
    fill.unmap()
    expect(['mapped', 'TimeoutError']).toContain((await once(worker, 'message'))[0])
    expect(pool.stats()).toMatchObject({ used: 0, throttle: { waiting: 0, blockingUsed: 0 } })
    checkShared(pool.handle, { live: [], waiting: 0 })
  } finally {
    await worker.terminate()
  }
})

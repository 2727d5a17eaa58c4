import { describe, expect, it } from 'vitest'
import type { ThrottleOptions } from '../src/index.js'
import { harness, SLOT } from './helpers/throttle-harness.js'

// One contract, three implementations (DESIGN §4): what every throttle mode promises a blocking caller.
const MODES: Record<string, ThrottleOptions> = {
  budget: { high: 0.5, low: 0.25 },
  serialize: { high: 0.5, low: 0.25, mode: 'serialize' },
  fairShare: { high: 0.5, low: 0.25, fairShare: true },
}

for (const [mode, throttle] of Object.entries(MODES)) {
  describe(`throttle contract: ${mode}`, () => {
    /** Maps 64-slot blocking requests until one has to wait; returns the names held and the waiter. */
    async function saturate(h: ReturnType<typeof harness>) {
      const names: string[] = []
      for (let i = 0; ; i++) {
        h.request(`h${i}`, 64)
        await h.settle()
        if (!h.held.has(`h${i}`)) return { names, waiter: `h${i}` }
        names.push(`h${i}`)
      }
    }

    it('admits a blocking call that fits at once, with no wait and no timer', async () => {
      const h = harness({ size: '1M', throttle })
      const m = await h.dma.map(4096, true)
      expect(m.waitedMs).toBe(0)
      expect(h.dma.stats().throttle).toMatchObject({ admitted: 1, waiting: 0, timeouts: 0 })
      expect(h.clock.pendingTimers).toBe(0)
      m.unmap()
    })

    it('admits waiters in arrival order as slots come back, and drains to zero', async () => {
      const h = harness({ size: '1M', throttle })
      const { names, waiter } = await saturate(h)
      h.request('w1', 64)
      h.request('w2', 1)
      h.request('w3', 64)
      await h.settle()
      expect(h.dma.stats().throttle.waiting).toBe(4)
      h.log.length = 0
      // Release newest first (the serialize mode's semaphore holder is the newest), one per ms,
      // and release each waiter as soon as it is admitted.
      for (const name of [...names].reverse()) {
        await h.clock.advanceBy(1)
        h.release(name)
        await h.settle()
        for (const w of [waiter, 'w1', 'w2', 'w3']) if (h.held.has(w)) h.release(w)
        await h.settle()
        for (const w of [waiter, 'w1', 'w2', 'w3']) if (h.held.has(w)) h.release(w)
      }
      await h.settle()
      expect(h.log.map((l) => l.split('@')[0])).toEqual([waiter, 'w1', 'w2', 'w3'])
      expect(h.dma.stats()).toMatchObject({
        used: 0,
        liveMappings: 0,
        throttle: { waiting: 0, blockingUsed: 0 },
      })
      expect(h.clock.pendingTimers).toBe(0)
    })

    it('times out the head and a middle waiter, leaving no trace', async () => {
      const h = harness({ size: '1M', throttle })
      const { names, waiter } = await saturate(h)
      h.log.length = 0
      h.request('head', 64, { timeoutMs: 10 })
      h.request('mid', 64, { timeoutMs: 5 })
      h.request('tail', 1)
      await h.settle()
      expect(h.clock.pendingTimers).toBe(2)
      await h.clock.advanceBy(10)
      expect(h.log).toEqual(['mid:TimeoutError@5', 'head:TimeoutError@10'])
      expect(h.dma.stats().throttle).toMatchObject({ timeouts: 2, waiting: 2 })
      expect(h.clock.pendingTimers).toBe(0)
      for (const name of [...names].reverse()) h.release(name)
      await h.settle()
      expect(h.held.has(waiter)).toBe(true)
      h.release(waiter) // serialize: the waiter holds the semaphore until this unmap
      await h.settle()
      expect(h.held.has('tail')).toBe(true)
      h.release('tail')
      expect(h.dma.stats()).toMatchObject({ used: 0, throttle: { waiting: 0 } })
    })

    it('a head that leaves settles, and is reported, before the waiters its leaving admits', async () => {
      for (const why of ['timeout', 'abort'] as const) {
        const h = harness({ size: '1M', throttle })
        const events: string[] = []
        const sub = h.dma.events$.subscribe((e) => {
          if (e.type === 'timeout' || e.type === 'abort' || e.type === 'admit')
            events.push(`${e.type}:${e.size / SLOT}`)
        })
        const ac = new AbortController()
        // Non-blocking mappings leave 16 free slots in each 128-slot segment: 'big' waits for slots,
        // holding the semaphore in serialize mode, and 'small' waits behind it.
        const irq = [0, 1, 2, 3].map(() => h.dma.tryMap(112 * SLOT)!)
        h.request('big', 100, why === 'timeout' ? { timeoutMs: 2 } : { signal: ac.signal })
        h.request('small', 10)
        await h.settle()
        expect(h.dma.stats().throttle.waiting).toBe(2)
        await h.clock.advanceBy(2)
        ac.abort(new Error('stop'))
        await h.settle()
        const name = why === 'timeout' ? 'TimeoutError' : 'Error'
        expect(h.log).toEqual([`big:${name}@2`, 'small@2'])
        expect(events.slice(-2)).toEqual([`${why}:100`, 'admit:10'])
        h.release('small')
        for (const m of irq) m.unmap()
        expect(h.dma.stats()).toMatchObject({ used: 0, throttle: { waiting: 0, blockingUsed: 0 } })
        expect(h.clock.pendingTimers).toBe(0)
        sub.unsubscribe()
      }
    })

    it('an abort removes the waiter at once; a pre-aborted signal is never queued', async () => {
      const h = harness({ size: '1M', throttle })
      const { names } = await saturate(h)
      const ac = new AbortController()
      const p = h.request('aborted', 64, { signal: ac.signal })
      await h.settle()
      const waitingBefore = h.dma.stats().throttle.waiting
      ac.abort(new Error('stop'))
      await expect(p).rejects.toThrow('stop')
      expect(h.dma.stats().throttle).toMatchObject({ aborts: 1, waiting: waitingBefore - 1 })
      const pre = h.dma.map(2048, { mayBlock: true, signal: AbortSignal.abort('gone') })
      await expect(pre).rejects.toBe('gone')
      expect(h.dma.stats().throttle).toMatchObject({ aborts: 2, waiting: waitingBefore - 1 })
      for (const name of names) h.release(name)
    })

    it('a timeout of 0 rejects at once when the call would wait', async () => {
      const h = harness({ size: '1M', throttle })
      await saturate(h)
      await expect(h.dma.map(2048, { mayBlock: true, timeoutMs: 0 })).rejects.toMatchObject({
        name: 'TimeoutError',
        code: 'ERR_THROTTLE_TIMEOUT',
      })
      expect(h.clock.pendingTimers).toBe(0)
    })

    it('a timeout of 0 that is turned away leaves waitQueue$ silent: the queue did not change', async () => {
      const h = harness({ size: '1M', throttle })
      const seen: string[] = []
      h.dma.waitQueue$.subscribe((q) => seen.push(`${q.length}/${q.bytesWaiting / SLOT}@${q.at}`))
      const events: string[] = []
      h.dma.events$.subscribe((e) => events.push(`${e.type}@${e.at}`))
      const { waiter } = await saturate(h)
      seen.length = 0
      events.length = 0
      await h.clock.advanceBy(2)
      // Turned away with someone waiting, and (after cancelWaiting) with nobody waiting.
      await expect(h.dma.map(2048, { mayBlock: true, timeoutMs: 0 })).rejects.toMatchObject({
        name: 'TimeoutError',
      })
      expect(h.dma.cancelWaiting()).toBe(1)
      await h.settle()
      await expect(h.dma.map(2048, { mayBlock: true, timeoutMs: 0 })).rejects.toMatchObject({
        name: 'TimeoutError',
      })
      expect(h.log).toContain(`${waiter}:AbortError@2`)
      // One state per change: the cancel; none for either timeout of 0 (docs/api.md, waitQueue$).
      expect(seen).toEqual(['0/0@2'])
      expect(events).toEqual(['timeout@2', 'abort@2', 'timeout@2'])
      expect(h.dma.stats().throttle).toMatchObject({ waiting: 0, timeouts: 2, aborts: 1 })
      expect(h.clock.pendingTimers).toBe(0)
    })

    it('non-blocking calls never wait: they succeed in the free band while blocking callers wait', async () => {
      const h = harness({ size: '1M', throttle })
      await saturate(h)
      const irq = h.dma.tryMap(32 * 2048)
      expect(irq).toBeDefined()
      expect(h.dma.stats().throttle.waiting).toBe(1)
      irq!.unmap()
    })

    it('reports every queue change on waitQueue$', async () => {
      const h = harness({ size: '1M', throttle })
      const seen: number[] = []
      const sub = h.dma.waitQueue$.subscribe((q) => seen.push(q.length))
      const { names } = await saturate(h)
      h.request('w', 1, { timeoutMs: 3 })
      await h.clock.advanceBy(3)
      expect(seen).toEqual([1, 2, 1])
      for (const name of [...names].reverse()) h.release(name)
      await h.settle()
      expect(seen.at(-1)).toBe(0)
      sub.unsubscribe()
    })
  })
}

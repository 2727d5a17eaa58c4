import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { delay, pQueue, record, UNIT } from './adapter.js'

// p-queue's own tests (sindresorhus/p-queue test/basic.ts and test/advanced.ts, 9.3.3), those about
// a concurrency limit, its drain promises, clear and abort, re-tested on dma-throttle through
// test/peers/adapter.ts: `add(fn)` is withMapping of one unit, `size` the waiters, `pending` the units
// held. Not ported: priorities, pause/start, rate limits (intervalCap), events and ids: p-queue's
// scheduler features, which a byte budget does not have.

const fixture = Symbol('fixture')

describe('p-queue test/basic.ts, ported', () => {
  it("'.add()': admitted at once, size 0, pending 1", async () => {
    const q = pQueue(8)
    const p = q.add(async () => fixture)
    expect([q.size, q.pending]).toEqual([0, 1])
    await expect(p).resolves.toBe(fixture)
  })

  it("'.add() - limited concurrency'", async () => {
    const q = pQueue(2)
    const all = Promise.all([
      q.add(async () => fixture),
      q.add(async () => {
        await delay(q.clock, 100)
        return fixture
      }),
      q.add(async () => fixture),
    ])
    expect([q.size, q.pending]).toEqual([1, 2])
    await q.clock.runAll()
    expect(await all).toEqual([fixture, fixture, fixture])
  })

  it("'.add() - update concurrency': lowering it at run time, a task starts only within the new limit", async () => {
    let concurrency = 5
    const q = pQueue(concurrency)
    let running = 0
    const starts: string[] = []
    const all = Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        q.add(async () => {
          running++
          // Lowering revokes nothing, so running tasks may exceed it for a while; a new one starts only
          // once the held units are below the limit (p-queue checks the same at each start).
          if (running > concurrency || q.pending > concurrency)
            starts.push(`${index}: ${running} > ${concurrency}`)
          await delay(q.clock, 30 + ((index * 37) % 170))
          running--
          if (index % 30 === 0) q.concurrency = --concurrency
        }),
      ),
    )
    await q.clock.runAll()
    await all
    expect(starts).toEqual([])
    expect(concurrency).toBe(1)
  })

  it("'.add() - priority': no priorities, tasks start in the order they were added", async () => {
    const q = pQueue(1)
    const result: number[] = []
    for (const n of [1, 0, 1, 2, 3, 0]) void q.add(async () => result.push(n))
    await q.clock.runAll()
    await q.onIdle()
    expect(result).toEqual([1, 0, 1, 2, 3, 0])
  })

  it("'.add() - timeout always throws': timeoutMs bounds the wait, never the task", async () => {
    // We differ: p-queue's `timeout` rejects a task that runs too long; ours rejects a request that
    // waits too long for its units, and never cuts a running task short.
    const q = pQueue(1)
    const log: string[] = []
    record(
      log,
      'slow task',
      q.add(
        async () => {
          await delay(q.clock, 400)
          return '🐌'
        },
        { timeoutMs: 300 },
      ),
    )
    record(
      log,
      'waiter',
      q.add(async () => '🦆', { timeoutMs: 300 }),
    )
    await q.clock.runAll()
    expect(log).toEqual(['waiter TimeoutError ERR_THROTTLE_TIMEOUT', 'slow task ok 🐌'])
  })

  it("'.onEmpty()': onQueueBelow(1), at once for an empty queue", async () => {
    const q = pQueue(1)
    void q.add(async () => 0)
    void q.add(async () => 0)
    expect([q.size, q.pending]).toEqual([1, 1])
    await q.onEmpty()
    expect(q.size).toBe(0)
    await q.onEmpty()
  })

  it("'.onIdle()'", async () => {
    const q = pQueue(2)
    for (let round = 1; round <= 2; round++) {
      for (let i = 0; i < 3; i++) void q.add(() => delay(q.clock, 100))
      expect([q.size, q.pending]).toEqual([1, 2])
      const idle = q.onIdle()
      await q.clock.runAll()
      await idle
      expect([q.size, q.pending, q.clock.now()]).toEqual([0, 0, 200 * round])
    }
  })

  it("'.onSizeLessThan()'", async () => {
    const q = pQueue(1)
    for (let i = 0; i < 5; i++) void q.add(() => delay(q.clock, 100))
    const sizes: string[] = []
    const at = (n: number) => q.onSizeLessThan(n).then(() => sizes.push(`<${n}: ${q.size}/${q.pending}`))
    void at(4)
    void at(2)
    void at(10)
    void at(1)
    await q.clock.runAll()
    expect(sizes).toEqual(['<10: 4/1', '<4: 3/1', '<2: 1/1', '<1: 0/1'])
  })

  it("'.onSizeLessThan() resolves after clear()'", async () => {
    const q = pQueue(1)
    void q.add(() => delay(q.clock, 50))
    for (let i = 0; i < 2; i++) q.add(() => delay(q.clock, 50)).catch(() => {})
    let resolved = false
    void q.onSizeLessThan(1).then(() => {
      resolved = true
    })
    q.clear()
    await q.clock.advanceBy(0)
    expect([resolved, q.size, q.pending]).toEqual([true, 0, 1])
  })

  it("'.onSizeLessThan() resolves when concurrency is raised at runtime': at the retune, no completion needed", async () => {
    const q = pQueue(1)
    for (let i = 0; i < 5; i++) void q.add(() => delay(q.clock, 1000))
    expect([q.size, q.pending]).toEqual([4, 1])
    let resolved = false
    void q.onSizeLessThan(2).then(() => {
      resolved = true
    })
    q.concurrency = 4
    await q.clock.advanceBy(0)
    expect([resolved, q.size, q.pending, q.clock.now()]).toEqual([true, 1, 4, 0])
  })

  it("'.onSizeLessThan() resolves multiple waiters with different limits on a single drain'", async () => {
    const q = pQueue(1)
    for (let i = 0; i < 7; i++) void q.add(() => delay(q.clock, 1000))
    const order: number[] = []
    for (const n of [5, 4, 3]) void q.onSizeLessThan(n).then(() => order.push(n))
    q.concurrency = 5 // 4 more start: 2 wait
    await q.clock.advanceBy(0)
    expect([order, q.size, q.pending]).toEqual([[5, 4, 3], 2, 5])
  })

  it("'.onSizeLessThan() removes its listeners once resolved'", async () => {
    const q = pQueue(1)
    for (let i = 0; i < 3; i++) void q.add(() => delay(q.clock, 10))
    const ac = new AbortController()
    const below = q.onSizeLessThan(1, ac.signal)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    await q.clock.runAll()
    await below
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
  })

  it("'.onIdle() - no pending'", async () => {
    const q = pQueue(1)
    await expect(q.onIdle()).resolves.toBeUndefined()
  })

  it("'.clear()', '.clear() with running tasks emits empty but not idle'", async () => {
    const q = pQueue(2)
    const log: string[] = []
    for (let i = 0; i < 6; i++)
      record(
        log,
        `t${i}`,
        q.add(() => delay(q.clock, 20_000)),
      )
    record(log, 'empty', q.onEmpty())
    record(log, 'idle', q.onIdle())
    expect([q.size, q.pending]).toEqual([4, 2])
    q.clear()
    expect([q.size, q.pending]).toEqual([0, 2])
    await q.clock.advanceBy(0)
    expect(log.filter((l) => !l.includes('AbortError'))).toEqual(['empty ok'])
    await q.clock.runAll()
    // We differ: p-queue settles a task before it reports idle; onIdle resolves at the unmap that ends
    // the last blocking mapping, and t1's withMapping promise settles a few microtasks later (see
    // async-mutex-mutex.test.ts, 'settlement order'). Await the tasks for their results.
    expect(log.slice(-3)).toEqual(['t0 ok', 'idle ok', 't1 ok'])
    expect(q.clock.now()).toBe(20_000)
  })

  it("'.add() sync/async mixed tasks', '.add() - handle task throwing error'", async () => {
    const q = pQueue(1)
    const log: string[] = []
    record(
      log,
      'sync 1',
      q.add(() => 'sync 1'),
    )
    record(
      log,
      'broken',
      q.add(() => {
        throw new Error('broken')
      }),
    )
    record(
      log,
      'async',
      q.add(() => delay(q.clock, 1000)),
    )
    record(
      log,
      'sync 2',
      q.add(() => 'sync 2'),
    )
    expect([q.size, q.pending]).toEqual([3, 1])
    await q.clock.runAll()
    await q.onIdle()
    // Settled in the order they were added, as p-queue 9.3.5, p-limit and async-mutex settle them
    // (checked side by side): 'sync 2' starts before 'async' settles, but settles after it.
    expect(log).toEqual(['sync 1 ok sync 1', 'broken Error', 'async ok', 'sync 2 ok sync 2'])
    expect([q.size, q.pending]).toEqual([0, 0])
  })
})

describe('p-queue test/basic.ts, ported: failures and clear', () => {
  it("'.add() - handle task promise failure': the unit comes back, the next task is admitted at once", async () => {
    const q = pQueue(1)
    await expect(
      q.add(async () => {
        throw new Error('broken')
      }),
    ).rejects.toThrow('broken')
    const next = q.add(() => 'task #1')
    expect(q.pending).toBe(1)
    await q.onIdle()
    expect(q.pending).toBe(0)
    await expect(next).resolves.toBe('task #1')
  })

  it("'.clear() resolves onEmpty() and onIdle() waiters': nothing running, all waiting", async () => {
    // p-queue's waiters sit in a paused queue; ours wait for slots that non-blocking mappings hold, so
    // no blocking mapping is live while they wait. p-queue leaves the cleared promises pending; ours
    // reject first, then the drain promises resolve, as they would for map callers (fairness rule 7).
    const q = pQueue(2)
    const irq = q.dma.tryMap(128 * UNIT)!
    const log: string[] = []
    for (let i = 0; i < 2; i++)
      record(
        log,
        `t${i}`,
        q.add(() => delay(q.clock, 50)),
      )
    record(log, 'empty', q.onEmpty())
    record(log, 'idle', q.onIdle())
    await q.clock.advanceBy(0)
    expect([log, q.size, q.pending]).toEqual([[], 2, 0])
    q.clear()
    await q.clock.advanceBy(0)
    expect(log).toEqual([
      't0 AbortError ERR_WAIT_CANCELLED',
      't1 AbortError ERR_WAIT_CANCELLED',
      'empty ok',
      'idle ok',
    ])
    expect([q.size, q.pending, q.clock.pendingTimers]).toEqual([0, 0, 0])
    irq.unmap()
  })
})

describe('p-queue test/advanced.ts, ported: abort', () => {
  it("'should skip an aborted job': an aborted signal rejects even when the task could run at once", async () => {
    const q = pQueue(1)
    let ran = false
    const job = q.add(
      () => {
        ran = true
      },
      { signal: AbortSignal.abort() },
    )
    await expect(job).rejects.toMatchObject({ name: 'AbortError' })
    expect([ran, q.pending]).toEqual([false, 0])
  })

  it("'should reject when signal is aborted while task is waiting in queue', 'abort with custom reason forwards the reason'", async () => {
    const q = pQueue(1)
    void q.add(() => delay(q.clock, 1000))
    const plain = new AbortController()
    const custom = new AbortController()
    const a = q.add(async () => 'result', { signal: plain.signal })
    const b = q.add(async () => 'result', { signal: custom.signal })
    plain.abort()
    const reason = new Error('custom abort reason')
    custom.abort(reason)
    await expect(a).rejects.toMatchObject({ name: 'AbortError' })
    await expect(b).rejects.toBe(reason)
    expect(q.size).toBe(0)
  })

  it("'should reject immediately when signal is already aborted and task is queued': never queued", async () => {
    const q = pQueue(1)
    const running = q.add(() => delay(q.clock, 10))
    const ac = new AbortController()
    ac.abort()
    let ran = false
    const task = q.add(
      () => {
        ran = true
      },
      { signal: ac.signal },
    )
    expect([q.size, getEventListeners(ac.signal, 'abort').length]).toEqual([0, 0])
    await expect(task).rejects.toMatchObject({ name: 'AbortError' })
    await q.clock.runAll()
    await running
    expect([ran, q.dma.stats().throttle.aborts]).toEqual([false, 1])
  })

  it("'aborting a queued task with explicit id removes the correct task': the middle one (no ids here)", async () => {
    const q = pQueue(1)
    const results: string[] = []
    const first = q.add(() => delay(q.clock, 50))
    const ac = new AbortController()
    void q.add(async () => results.push('keep'))
    const abortable = q.add(async () => results.push('remove-me'), { signal: ac.signal })
    void q.add(async () => results.push('also-keep'))
    expect(q.size).toBe(3)
    ac.abort()
    await expect(abortable).rejects.toMatchObject({ name: 'AbortError' })
    expect(q.size).toBe(2)
    await q.clock.runAll()
    await first
    await q.onIdle()
    expect(results).toEqual(['keep', 'also-keep'])
  })

  it("'aborting multiple jobs at the same time', 'clear() only leaves the running task affected…': we differ, a running task is not cut short", async () => {
    // p-queue rejects a running task's promise when its signal aborts (and frees its slot while the task
    // still runs). Ours leaves the watch at admission: the abort rejects the queued call only, and the
    // running one keeps its unit until its callback settles, with the callback's result.
    const q = pQueue(1)
    const log: string[] = []
    const running = new AbortController()
    const queued = new AbortController()
    record(
      log,
      'running',
      q.add(
        async () => {
          await delay(q.clock, 100)
          return `done, aborted ${running.signal.aborted}`
        },
        { signal: running.signal },
      ),
    )
    record(
      log,
      'queued',
      q.add(async () => 'never', { signal: queued.signal }),
    )
    await q.clock.advanceBy(10)
    expect(getEventListeners(running.signal, 'abort')).toHaveLength(0)
    running.abort()
    queued.abort()
    await q.clock.advanceBy(0)
    expect([log, q.size, q.pending]).toEqual([['queued AbortError 20'], 0, 1])
    await q.clock.runAll()
    expect(log).toEqual(['queued AbortError 20', 'running ok done, aborted true'])
    expect([q.size, q.pending, q.clock.now()]).toEqual([0, 0, 100])
  })

  it("'aborting multiple queued tasks with same AbortController': one listener for all of them", async () => {
    // We differ: p-queue adds a listener per task (past 10 Node warns MaxListenersExceededWarning);
    // the pool adds one per signal, however many waiters share it.
    const q = pQueue(1)
    const first = q.add(() => delay(q.clock, 50))
    const ac = new AbortController()
    const tasks = Array.from({ length: 50 }, (_, i) => q.add(async () => i, { signal: ac.signal }))
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    ac.abort()
    for (const t of tasks) await expect(t).rejects.toMatchObject({ name: 'AbortError' })
    expect(q.size).toBe(0)
    await q.clock.runAll()
    await first
  })

  it("'clear() removes queued abort listeners': and, unlike p-queue, settles the cleared tasks", async () => {
    // p-queue's clear() leaves a cleared task's promise pending for ever; ours rejects it.
    const q = pQueue(1)
    const runningAc = new AbortController()
    const running = q.add(() => delay(q.clock, 10), { signal: runningAc.signal })
    const ac = new AbortController()
    const queued = [
      q.add(async () => '1', { signal: ac.signal }),
      q.add(async () => '2', { signal: ac.signal }),
    ]
    q.clear()
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
    for (const t of queued) await expect(t).rejects.toMatchObject({ code: 'ERR_WAIT_CANCELLED' })
    // 'clear() lets the same signal be reused without stale queued listeners'
    const reused = q.add(async () => 'active', { signal: ac.signal })
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    ac.abort()
    await expect(reused).rejects.toMatchObject({ name: 'AbortError' })
    await q.clock.runAll()
    await running
    // 'abort listener is removed when job is completed' (a task admitted at once leaves none either)
    expect(getEventListeners(runningAc.signal, 'abort')).toHaveLength(0)
  })

  it("'abort listener for queued task is cleaned up when the task starts running'", async () => {
    const q = pQueue(1)
    const first = q.add(() => delay(q.clock, 50))
    const ac = new AbortController()
    const queued = q.add(async () => 'done', { signal: ac.signal })
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    await q.clock.runAll()
    await first
    await expect(queued).resolves.toBe('done')
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
  })

  it("'pending promises with abortions counted fast enough': an aborted waiter holds no place", async () => {
    const q = pQueue(2)
    const log: string[] = []
    void q.add(() => delay(q.clock, 100))
    void q.add(() => delay(q.clock, 100))
    const ac = new AbortController()
    q.add(() => delay(q.clock, 1000), { signal: ac.signal }).catch(() => log.push('aborted'))
    void q.add(() => log.push(`fourth@${q.clock.now()}`))
    ac.abort()
    await q.clock.runAll()
    expect(log).toEqual(['aborted', 'fourth@100'])
  })

  it("'should not cause stack overflow with many aborted tasks': 10,000 waiters on one signal", async () => {
    const q = pQueue(1)
    const ac = new AbortController()
    const first = q.add(() => 1 + 1)
    const tasks = Array.from({ length: 10_000 }, () =>
      q.add(() => 1 + 1, { signal: ac.signal }).catch(() => 'aborted'),
    )
    ac.abort()
    const settled = await Promise.all(tasks)
    await first
    await q.onIdle()
    expect([settled.filter((s) => s === 'aborted').length, q.size, q.pending]).toEqual([10_000, 0, 0])
  })
})

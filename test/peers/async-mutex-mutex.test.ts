import { getEventListeners } from 'node:events'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ThrottleTimeoutError, WaitCancelledError } from '../../src/index.js'
import { params } from '../helpers/fc-params.js'
import { delay, record, semaphore, UNIT } from './adapter.js'

// async-mutex's Mutex, tryAcquire and withTimeout suites (DirtyHairy/async-mutex test/mutex.ts,
// test/tryAcquire.ts, test/withTimeout.ts), re-tested on dma-throttle through test/peers/adapter.ts: a
// Mutex is a budget of one unit; `tryAcquire` is a blocking map with `timeoutMs: 0`; `withTimeout(…, ms)`
// is `timeoutMs: ms` on each request.

const mutex = () => semaphore(1)

// Upstream runs mutexSuite again through withTimeout(mutex, 500) ('Mutex API'): so do we.
for (const [name, defaults] of [
  ['', {}],
  [', through timeoutMs 500', { timeoutMs: 500 }],
] as const) {
  const mutex = () => semaphore(1, defaults)

  describe(`async-mutex test/mutex.ts, ported${name}`, () => {
    it("'ownership is exclusive'", async () => {
      const m = mutex()
      let flag = false
      const release = await m.acquire()
      m.clock.setTimer(50, () => {
        flag = true
        release()
      })
      const next = m.acquire().then((r) => {
        expect(flag).toBe(true)
        r()
      })
      expect(flag).toBe(false)
      await m.clock.runAll()
      await next
    })

    it("'acquire unblocks the highest-priority task first': no priorities, arrival order", async () => {
      const m = mutex()
      const values: string[] = []
      for (const name of ['0', '-1', '+1'])
        void m.acquire().then((release) => {
          values.push(name)
          m.clock.setTimer(100, release)
        })
      await m.clock.runAll()
      expect(values).toEqual(['0', '-1', '+1'])
      expect(m.clock.now()).toBe(300)
    })

    it("'runExclusive is exclusive', 'exceptions during runExclusive do not leave mutex locked'", async () => {
      const m = mutex()
      let flag = false
      void m.runExclusive(async () => {
        await delay(m.clock, 50)
        flag = true
      })
      const after = m.runExclusive(() => flag)
      const failing = m.runExclusive(() => {
        throw new Error('in the callback')
      })
      failing.catch(() => {})
      await m.clock.runAll()
      await expect(after).resolves.toBe(true)
      await expect(failing).rejects.toThrow('in the callback')
      expect(m.isLocked()).toBe(false)
    })

    it("'isLocked reflects the mutex state': a release hands the lock straight to the next", async () => {
      const m = mutex()
      expect(m.isLocked()).toBe(false)
      const lock1 = m.acquire()
      const lock2 = m.acquire()
      expect(m.isLocked()).toBe(true)
      const release1 = await lock1
      expect(m.isLocked()).toBe(true)
      release1()
      expect(m.isLocked()).toBe(true)
      ;(await lock2)()
      expect(m.isLocked()).toBe(false)
    })

    it("'multiple calls to release behave as expected'", async () => {
      const m = mutex()
      let v = 0
      const run = async () => {
        const release = await m.acquire()
        v++
        release()
      }
      await Promise.all([run(), run(), run()])
      expect([v, m.isLocked()]).toEqual([3, false])
    })

    it("'cancel rejects all pending locks witth E_CANCELED', 'cancel rejects with a custom error if provided'", async () => {
      const m = mutex()
      await m.acquire()
      const log: string[] = []
      record(log, 'ticket', m.acquire())
      record(
        log,
        'result',
        m.runExclusive(() => 'never'),
      )
      expect(m.cancel()).toBe(2)
      const custom = new Error('custom')
      const third = m.acquire()
      m.cancel(custom)
      await expect(third).rejects.toBe(custom)
      expect(log).toEqual(['ticket AbortError ERR_WAIT_CANCELLED', 'result AbortError ERR_WAIT_CANCELLED'])
    })

    it("'a canceled waiter will not lock the mutex again'", async () => {
      const m = mutex()
      const release = await m.acquire()
      m.acquire().catch(() => {})
      m.cancel()
      expect(m.isLocked()).toBe(true)
      release()
      expect(m.isLocked()).toBe(false)
    })

    it("'waitForUnlock does not block while the mutex has not been acquired', '…blocks when…', '…unblocks after a release'", async () => {
      const m = mutex()
      let calls = 0
      const waitThenCount = async () => {
        await m.waitForUnlock()
        calls++
      }
      void waitThenCount()
      void waitThenCount()
      await m.clock.advanceBy(1)
      expect(calls).toBe(2)
      const release = await m.acquire()
      void waitThenCount()
      void waitThenCount()
      await m.clock.advanceBy(0)
      expect(calls).toBe(2)
      release()
      await m.clock.advanceBy(0)
      expect(calls).toBe(4)
    })

    it("'waitForUnlock only unblocks when the mutex can actually be acquired again'", async () => {
      const m = mutex()
      const first = m.acquire()
      const second = m.acquire()
      let flag = false
      void m.waitForUnlock().then(() => {
        flag = true
      })
      ;(await first)()
      await m.clock.advanceBy(0)
      expect(flag).toBe(false)
      ;(await second)()
      await m.clock.advanceBy(0)
      expect(flag).toBe(true)
    })
  })
}

describe('settlement order: calls settle in the order they started; the next may start first', () => {
  // Checked side by side with async-mutex 0.5.0 (Semaphore.runExclusive) and p-limit 7.3.3 (limit(fn)),
  // a limit of 1, for a first task that returns, throws, resolves later or rejects later: both settle
  // calls in the order they started, and start the next call before the previous one's promise
  // settles (the unit is handed over when the task's own result settles). p-queue 9.3.5 does the
  // same, and reports idle only after the last promise settled (see p-queue.test.ts).
  it('a synchronous task: the next starts first', async () => {
    const m = mutex()
    const log: string[] = []
    void m.runExclusive(() => 'first').then((v) => log.push(`${v} settled`))
    void m.runExclusive(() => log.push('second starts'))
    await m.clock.runAll()
    expect(log).toEqual(['second starts', 'first settled'])
  })

  it('an asynchronous task: the next starts, then the first settles, then onIdle, then the next settles', async () => {
    const m = mutex()
    const log: string[] = []
    void m
      .runExclusive(async () => {
        await delay(m.clock, 10)
        return 'first'
      })
      .then((v) => log.push(`${v} settled`))
    void m.runExclusive(() => log.push('second starts')).then(() => log.push('second settled'))
    void m.waitForUnlock().then(() => log.push('idle'))
    await m.clock.runAll()
    expect(log).toEqual(['second starts', 'first settled', 'idle', 'second settled'])
  })

  it('an asynchronous task that rejects settles before a synchronous next one', async () => {
    const m = mutex()
    const log: string[] = []
    const error = new Error('first')
    m.runExclusive(async () => {
      await null
      throw error
    }).catch((e: Error) => log.push(`${e.message} rejected`))
    void m.runExclusive(() => log.push('second starts')).then(() => log.push('second settled'))
    await m.clock.runAll()
    expect(log).toEqual(['second starts', 'first rejected', 'second settled'])
  })

  it('any mix of outcomes: start i+1, settle i, start i+2, settle i+1, …', async () => {
    type Kind = 'value' | 'throw' | 'resolve later' | 'reject later' | 'timer'
    const kinds: Kind[] = ['value', 'throw', 'resolve later', 'reject later', 'timer']
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.constantFrom(...kinds), ticks: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (tasks) => {
          const m = mutex()
          const log: string[] = []
          tasks.forEach(({ kind, ticks }, i) => {
            const settle = () => log.push(`settle ${i}`)
            const later = async () => {
              for (let t = 0; t < ticks; t++) await null
              if (kind === 'timer') await delay(m.clock, ticks + 1)
              if (kind === 'reject later') throw new Error(String(i))
              return i
            }
            m.runExclusive(() => {
              log.push(`start ${i}`)
              if (kind === 'value') return i
              if (kind === 'throw') throw new Error(String(i))
              return later()
            }).then(settle, settle)
          })
          await m.clock.runAll()
          await m.waitForUnlock()
          const expected = ['start 0']
          for (let i = 0; i < tasks.length; i++) {
            if (i + 1 < tasks.length) expected.push(`start ${i + 1}`)
            expected.push(`settle ${i}`)
          }
          expect(log).toEqual(expected)
        },
      ),
      params(200),
    )
  })
})

describe('async-mutex test/tryAcquire.ts, ported: timeoutMs 0', () => {
  it("'acquire rejects with E_ALREADY_LOCKED if no error is provided': a TimeoutError at once, counted", async () => {
    // We differ: the error is always ours (ThrottleTimeoutError, timeoutMs 0), no custom error.
    const s = semaphore(2)
    await s.acquire()
    await s.acquire()
    const ticket = s.acquire(1, { timeoutMs: 0 })
    await expect(ticket).rejects.toBeInstanceOf(ThrottleTimeoutError)
    await expect(ticket).rejects.toMatchObject({
      name: 'TimeoutError',
      code: 'ERR_THROTTLE_TIMEOUT',
      timeoutMs: 0,
    })
    expect(s.dma.stats().throttle).toMatchObject({ waiting: 0, timeouts: 1 })
    expect(s.clock.pendingTimers).toBe(0)
  })

  it("'acquire locks the semaphore if it is not already locked'", async () => {
    const s = semaphore(2)
    await s.acquire(1, { timeoutMs: 0 })
    await s.acquire(1, { timeoutMs: 0 })
    expect(s.isLocked()).toBe(true)
  })

  it('tryMap is not tryAcquire: it bypasses the budget (interrupt context), and does not count in it', async () => {
    // The fairness contract, rules 1 and 2: a non-blocking call never waits, may use any free slot,
    // and does not use up the blocking budget. A try-acquire of the budget is `timeoutMs: 0`.
    const s = semaphore(2)
    await s.acquire(2)
    const m = s.dma.tryMap(UNIT)
    expect(m).toBeDefined()
    expect(s.dma.stats().throttle.blockingUsed).toBe(2)
    m!.unmap()
  })
})

describe('async-mutex test/withTimeout.ts, ported: timeoutMs', () => {
  it("'acquire clears timeout if lock is acquired'", async () => {
    const m = mutex()
    ;(await m.acquire(1, { timeoutMs: 100 }))()
    void m.acquire(1, { timeoutMs: 100 }).then((release) => m.clock.setTimer(75, release))
    await m.clock.advanceBy(25)
    expect(m.clock.pendingTimers).toBe(1) // the release timer only
  })

  it("'acquire rejects with timeout error if timeout is exceeded', exactly at its timeoutMs", async () => {
    const m = mutex()
    void m.acquire().then((release) => m.clock.setTimer(150, release))
    const log: string[] = []
    const ticket = m.acquire(1, { timeoutMs: 100 })
    ticket.catch(() => log.push(`timeout@${m.clock.now()}`))
    await m.clock.advanceBy(110)
    await expect(ticket).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 100, sizeBytes: UNIT })
    expect(log).toEqual(['timeout@100'])
  })

  it("'after a timeout, acquire does automatically release the mutex once it is acquired': no ghost waiter", async () => {
    // async-mutex's timed-out waiter stays queued, takes the lock when its turn comes and gives it back;
    // ours leaves the queue at its timeout (no slot, entry, timer or listener), so nothing is handed to it.
    const m = mutex()
    void m.acquire().then((release) => m.clock.setTimer(150, release))
    m.acquire(1, { timeoutMs: 100 }).catch(() => {})
    await m.clock.advanceBy(100)
    expect(m.dma.stats().throttle.waiting).toBe(0)
    await m.clock.advanceBy(60)
    let flag = false
    void m.acquire().then(() => {
      flag = true
    })
    await m.clock.advanceBy(0)
    expect(flag).toBe(true)
    expect(m.dma.stats().throttle.admitted).toBe(2)
  })

  it("'runExclusive rejects with E_TIMEOUT', 'runExclusive does not run the callback if timeout is exceeded'", async () => {
    const m = mutex()
    void m.acquire().then((release) => m.clock.setTimer(150, release))
    let flag = false
    const result = m.runExclusive(
      () => {
        flag = true
      },
      1,
      { timeoutMs: 100 },
    )
    result.catch(() => {})
    await m.clock.advanceBy(160)
    await expect(result).rejects.toBeInstanceOf(ThrottleTimeoutError)
    expect(flag).toBe(false)
    // 'after a timeout, runExclusive automatically releases the mutex once it is acquired'
    await expect(m.runExclusive(() => 'next')).resolves.toBe('next')
  })

  it("'a canceled lock with timeout will not lock the mutex again': cancel clears its timer", async () => {
    const m = mutex()
    void m.acquire().then((release) => m.clock.setTimer(150, release))
    const ticket = m.acquire(1, { timeoutMs: 500 })
    ticket.catch(() => {})
    await m.clock.advanceBy(120)
    expect(m.clock.pendingTimers).toBe(2)
    m.cancel()
    await expect(ticket).rejects.toBeInstanceOf(WaitCancelledError)
    expect(m.clock.pendingTimers).toBe(1)
    expect(m.isLocked()).toBe(true)
    await m.clock.advanceBy(50)
    expect(m.isLocked()).toBe(false)
  })

  it("'waitForUnlock times out': onIdle takes a signal, not a timeout", async () => {
    // We differ: onIdle(signal) has no timeout of its own; a signal aborted by a clock timer is one.
    const m = mutex()
    await m.acquire()
    const ac = new AbortController()
    m.clock.setTimer(100, () => ac.abort(new Error('gave up')))
    const log: string[] = []
    m.waitForUnlock(ac.signal).catch((e: Error) => log.push(`${e.message}@${m.clock.now()}`))
    await m.clock.advanceBy(120)
    expect(log).toEqual(['gave up@100'])
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { params } from '../helpers/fc-params.js'
import { budgetPool, delay, UNIT } from './adapter.js'

// The concurrency tests of all three peers as one property: p-limit 'concurrency: 4' (never more than
// the limit at once), async-mutex 'acquire with weight does block…' and 'acquire allows heavy items to
// run eventually' (weighted, FIFO), p-limit 'change concurrency to smaller/bigger value' and async-mutex
// 'setValue…' (a retune at run time). Random weighted tasks arrive on virtual time through withMapping;
// each starts exactly when a plain FIFO reference says: admitted at once only when nobody waits and it
// fits, else when the head fits after a release or a retune; a smaller budget revokes nothing.

interface Task {
  readonly at: number
  readonly weight: number
  readonly ms: number
}

interface Plan {
  readonly budget: number
  readonly tasks: readonly Task[]
  readonly retune: { readonly at: number; readonly budget: number } | undefined
}

/**
 * Start times by the reference. Timers due at the same time fire in the order they were set: the
 * arrivals (set first), then the retune, then the releases in the order the tasks started.
 */
function reference(plan: Plan): number[] {
  let budget = plan.budget
  let used = 0
  const queue: number[] = []
  const start: number[] = []
  const releases: Array<{ at: number; weight: number }> = [] // in start order
  const admit = (i: number, t: number) => {
    const { weight, ms } = plan.tasks[i]!
    used += weight
    start[i] = t
    releases.push({ at: t + ms, weight })
  }
  const drain = (t: number) => {
    while (queue.length > 0 && used + plan.tasks[queue[0]!]!.weight <= budget) admit(queue.shift()!, t)
  }
  const arrivals = plan.tasks.map((_, i) => i).sort((a, b) => plan.tasks[a]!.at - plan.tasks[b]!.at || a - b)
  let retune = plan.retune
  for (;;) {
    const arrival = arrivals[0] === undefined ? Number.POSITIVE_INFINITY : plan.tasks[arrivals[0]]!.at
    const retuneAt = retune?.at ?? Number.POSITIVE_INFINITY
    let r = -1
    for (let i = 0; i < releases.length; i++) if (r < 0 || releases[i]!.at < releases[r]!.at) r = i
    const release = r < 0 ? Number.POSITIVE_INFINITY : releases[r]!.at
    const t = Math.min(arrival, retuneAt, release)
    if (t === Number.POSITIVE_INFINITY) return start
    if (arrival === t) {
      const i = arrivals.shift()!
      if (queue.length === 0 && used + plan.tasks[i]!.weight <= budget) admit(i, t)
      else queue.push(i)
    } else if (retuneAt === t) {
      budget = retune!.budget
      retune = undefined
      drain(t)
    } else {
      used -= releases.splice(r, 1)[0]!.weight
      drain(t)
    }
  }
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  budget: fc.integer({ min: 4, max: 16 }),
  tasks: fc.array(
    fc.record({
      at: fc.integer({ min: 0, max: 60 }).map((t) => t + 0.5),
      weight: fc.integer({ min: 1, max: 4 }),
      ms: fc.integer({ min: 1, max: 30 }),
    }),
    { minLength: 1, maxLength: 40 },
  ),
  retune: fc.option(
    fc.record({ at: fc.integer({ min: 0, max: 80 }), budget: fc.integer({ min: 4, max: 16 }) }),
    {
      nil: undefined,
    },
  ),
})

describe('weighted FIFO on virtual time (p-limit, async-mutex and p-queue concurrency tests)', () => {
  it('every task starts when the FIFO reference says, within the budget of that moment', async () => {
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        const { clock, dma } = budgetPool(plan.budget)
        const starts: number[] = []
        const over: string[] = []
        let held = 0
        let budget = plan.budget
        const done: Array<Promise<void>> = []
        plan.tasks.forEach((task, i) => {
          clock.setTimer(task.at, () => {
            const run = dma.withMapping(task.weight * UNIT, true, async () => {
              starts[i] = clock.now()
              held += task.weight
              if (held > budget) over.push(`#${i} at ${clock.now()}: ${held} units held > ${budget}`)
              await delay(clock, task.ms)
              held -= task.weight
            })
            done.push(run)
          })
        })
        const retune = plan.retune
        if (retune !== undefined)
          clock.setTimer(retune.at, () => {
            budget = retune.budget
            dma.setThrottle({ budgetBytes: retune.budget * UNIT })
          })
        await clock.runAll()
        await Promise.all(done)
        expect(starts).toEqual(reference(plan))
        // A smaller budget revokes nothing, but a task starts only within the budget of its moment.
        expect(over).toEqual([])
        const t = dma.stats().throttle
        expect([t.waiting, t.blockingUsed, clock.pendingTimers]).toEqual([0, 0, 0])
      }),
      params(150),
    )
  })
})

// dma-throttle as a byte-budget limiter: uploads of different sizes share 1 MiB in flight, wait their
// turn in one FIFO, and time out on their own. withMapping is the one-call form (as p-limit's limit(fn)):
// the budget is held while the callback runs and given back however it ends.
import { Swiotlb, ThrottleTimeoutError, VirtualClock } from 'dma-throttle'

const clock = new VirtualClock()
// 2 MiB of slots, half of them for callers that may wait: a budget of 1 MiB in flight.
const budget = new Swiotlb({ size: '2M', backing: false, clock, throttle: { high: 0.5 } })

/** Sends `bytes` over a link of 100 MiB/s (simulated), holding `bytes` of the budget meanwhile. */
const upload = (name: string, bytes: number, timeoutMs = Number.POSITIVE_INFINITY) =>
  budget
    .withMapping(bytes, { mayBlock: true, device: name, timeoutMs }, async (m) => {
      const ms = (bytes / (100 * 1024 * 1024)) * 1000
      await new Promise<void>((resolve) => clock.setTimer(ms, resolve))
      return `${name}: ${bytes / 1024} KiB sent after waiting ${m.waitedMs.toFixed(2)} ms`
    })
    .catch((e: unknown) =>
      e instanceof ThrottleTimeoutError ? `${name}: gave up (${e.message})` : Promise.reject(e),
    )

budget.waitQueue$.subscribe((q) => {
  if (q.length > 0)
    console.log(`  t=${clock.now().toFixed(2)} ms: ${q.length} waiting, ${q.bytesWaiting / 1024} KiB`)
})

const results = [
  upload('a', 256 * 1024),
  upload('b', 256 * 1024),
  upload('c', 256 * 1024),
  upload('d', 256 * 1024),
  upload('e', 256 * 1024), // the budget is full: e waits for the first release
  upload('f', 8 * 1024, 1), // f would wait behind e (FIFO: nobody overtakes) and gives up after 1 ms
  upload('g', 64 * 1024),
]
await clock.runAll()
for (const line of await Promise.all(results)) console.log(line)

const s = budget.stats()
console.log(`in flight now ${s.used} slots; at most ${s.hiwater} slots (${(s.hiwater * 2048) / 1024} KiB)`)
if (s.used !== 0 || s.hiwater > 512) throw new Error('the budget was not kept')

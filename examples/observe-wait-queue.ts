// Watching the pool with rxjs: every event, every change of the wait queue, and vmstat-like samples.
// Everything runs on a VirtualClock, so the timestamps are exact and the example runs instantly.

import { Swiotlb, VirtualClock } from 'dma-throttle'
import { filter, map } from 'rxjs'

const clock = new VirtualClock()
const dma = new Swiotlb({ size: '512K', backing: false, clock, throttle: { high: 0.5 } })

const events = dma.events$
  .pipe(
    filter((e) => e.type !== 'map' && e.type !== 'unmap'),
    map((e) => `${e.type}@${e.at}ms`),
  )
  .subscribe((line) => console.log(`event  ${line}`))
const queue = dma.waitQueue$.subscribe((q) =>
  console.log(
    `queue  @${q.at}ms length ${q.length}, ${q.bytesWaiting} bytes, head waited ${q.headWaitedMs} ms`,
  ),
)
const usage = dma.usage$(10).subscribe((s) => console.log(`usage  @${s.at}ms ${s.used}/${s.nslabs} slots`))

// The budget is 128 slots: two 128 KiB mappings fill it, the next two wait.
const a = await dma.map(128 * 1024, true)
const b = await dma.map(128 * 1024, true)
const c = dma.map(128 * 1024, true)
const late = dma.map(64 * 1024, { mayBlock: true, timeoutMs: 15 }).catch((e: Error) => e.name)

await clock.advanceBy(12)
a.unmap() // c is admitted at once: direct handoff
await clock.advanceBy(8) // late times out at 15 ms
console.log(`late: ${await late}`)
b.unmap()
;(await c).unmap()
await clock.advanceBy(10)

for (const sub of [events, queue, usage]) sub.unsubscribe()
const t = dma.stats().throttle
console.log(
  `admitted ${t.admitted}, timeouts ${t.timeouts}, longest wait ${t.waitMs.max} ms, timers left ${clock.pendingTimers}`,
)

import { describe, expect, it } from 'vitest'
import { parseSpec, runPolicy } from '../../src/sim/index.js'

/** A dma-buf import holds the whole pool for 20 ms; blocking disk I/O starts at 1 ms. */
const hogged = parseSpec({
  name: 'hogged',
  cpus: 2,
  pool: '4M',
  runtime: '40ms',
  devices: [{ name: 'nvme0', type: 'nvme' }],
  hogs: [{ name: 'buf', bytes: '4M', atMs: 0, holdMs: 20 }],
  jobs: [
    {
      name: 'j',
      rw: 'randread',
      bs: '64k',
      iodepth: 4,
      numjobs: 2,
      startdelay: '1ms',
      continue_on_error: 'io',
    },
  ],
  policies: ['rfc', 'rfc-wait'],
})

describe("'rfc' as the RFC does it", () => {
  it('fails a throttled request that then finds no slots, each in turn, while the pool stays full', async () => {
    const { result } = await runPolicy(hogged, 'rfc', 1)
    expect(result.ioErrors).toBeGreaterThan(100) // every I/O of the 19 ms the import holds the pool
    expect(result.throttle.highCount).toBeGreaterThan(100)
    expect(result.ios).toBeGreaterThan(0) // and I/O goes on once the import lets go
    expect(result.stuckIos).toBe(0)
  })

  it("keeps today's waiting as the named variant 'rfc-wait': a stall, no error", async () => {
    const { result } = await runPolicy(hogged, 'rfc-wait', 1)
    expect(result.ioErrors).toBe(0)
    expect(result.mapWaitUs.max).toBeGreaterThan(18_000)
  })
})

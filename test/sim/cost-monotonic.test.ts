import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseSpec, runPolicy } from '../../src/sim/index.js'

/** A small spec of one random-read job against one NVMe drive, no pool pressure. */
function spec(o: {
  cpus: number
  latencyUs: number
  bandwidth: number
  bs: string
  iodepth: number
  numjobs: number
}) {
  return parseSpec({
    name: 'mono',
    cpus: o.cpus,
    pool: '256M',
    runtime: '10ms',
    devices: [{ name: 'nvme0', type: 'nvme', latencyUs: o.latencyUs, bandwidth: o.bandwidth, jitter: 0 }],
    jobs: [{ name: 'j', rw: 'randread', bs: o.bs, iodepth: o.iodepth, numjobs: o.numjobs }],
    policies: ['fail'],
  })
}

const arb = fc.record({
  cpus: fc.integer({ min: 1, max: 4 }),
  latencyUs: fc.integer({ min: 10, max: 300 }),
  bandwidth: fc.integer({ min: 100, max: 4000 }).map((m) => m * 1e6),
  bs: fc.constantFrom('4k', '64k', '256k'),
  iodepth: fc.integer({ min: 1, max: 16 }),
  numjobs: fc.integer({ min: 1, max: 4 }),
})

const PROPS = { numRuns: 15, seed: 7 }

// Monotonicity a user expects of a closed-loop load without jitter: a faster device or more vCPUs
// never moves fewer bytes in the same window.
describe('the cost models are monotonic where a user expects it', () => {
  it('a device with more bandwidth never lowers throughput', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (o) => {
        const slow = await runPolicy(spec(o), 'fail', 1)
        const fast = await runPolicy(spec({ ...o, bandwidth: o.bandwidth * 2 }), 'fail', 1)
        expect(fast.result.mibps).toBeGreaterThanOrEqual(slow.result.mibps)
      }),
      PROPS,
    )
  })

  it('a device with less latency never lowers throughput', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (o) => {
        const slow = await runPolicy(spec(o), 'fail', 1)
        const fast = await runPolicy(spec({ ...o, latencyUs: o.latencyUs / 2 }), 'fail', 1)
        expect(fast.result.mibps).toBeGreaterThanOrEqual(slow.result.mibps)
      }),
      PROPS,
    )
  })

  it('more vCPUs never lower throughput', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (o) => {
        const few = await runPolicy(spec(o), 'fail', 1)
        const more = await runPolicy(spec({ ...o, cpus: o.cpus * 2 }), 'fail', 1)
        expect(more.result.mibps).toBeGreaterThanOrEqual(few.result.mibps)
      }),
      PROPS,
    )
  })
})

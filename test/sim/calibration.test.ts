import { describe, expect, it } from 'vitest'
import {
  Engine,
  Io,
  type IoOwner,
  Media,
  type MediaFields,
  Nvme,
  nvmeKind,
  Rng,
} from '../../src/sim/index.js'
import { makeContext } from './harness.js'

const KIB = 1024

/**
 * The NVMe defaults are calibrated to a published fio run of a real NVMe drive (gist
 * v0112358/c2a7f870d76edcde2128688af346f1fb, libaio, direct, 4 KiB random reads on /dev/nvme0n1):
 * queue depth 1 answers in 62.2 µs (ioping, mean), and 2 jobs × iodepth 256 give 180 k IOPS at a mean
 * completion latency of 2,840 µs. By Little's law the drive reaches its IOPS with 180 k × 62.2 µs =
 * 11.2 commands in flight: 45.9 KB of 4 KiB reads. The simulated drive must show the same curve.
 */
const CAL = { qd1LatencyUs: 62.2, maxIops: 180_000, qd512LatencyUs: 2840 }
const CAL_KNEE_BYTES = CAL.maxIops * CAL.qd1LatencyUs * 1e-6 * 4 * KIB

/** Closed loop: `depth` 4 KiB reads on one queue, each replaced as it completes. IOPS and mean latency. */
async function closedLoop(depth: number, ms = 20): Promise<{ iops: number; latencyUs: number }> {
  const { clock, ctx } = makeContext({ size: '64M', cpus: 1, endMs: ms })
  const spec = nvmeKind.parse('nvme', { name: 'nvme0', type: 'nvme', queueDepth: 4096, jitter: 0 })
  const nvme = new Nvme(spec, ctx)
  let done = 0
  let latencySum = 0
  const warmMs = ms / 4
  const owner: IoOwner = {
    ioDone(io: Io) {
      const now = clock.now()
      if (io.issuedAt >= warmMs && now <= ms) {
        done++
        latencySum += now - io.issuedAt
      }
      if (now < ms) void nvme.submit(new Io(4 * KIB, true, 0, now, owner))
    },
  }
  for (let i = 0; i < depth; i++) void nvme.submit(new Io(4 * KIB, true, 0, 0, owner))
  await clock.advanceBy(ms + 50)
  return { iops: done / ((ms - warmMs) / 1000), latencyUs: (1000 * latencySum) / done }
}

const within = (actual: number, expected: number, fraction: number) =>
  expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(fraction)

describe('NVMe calibration (4 KiB random reads against the published fio curve)', () => {
  it('answers queue depth 1 in the drive latency', async () => {
    within((await closedLoop(1)).latencyUs, CAL.qd1LatencyUs, 0.2)
  })

  it('saturates at the drive IOPS, with its latency at depth 512', async () => {
    const deep = await closedLoop(512)
    within(deep.iops, CAL.maxIops, 0.2)
    within(deep.latencyUs, CAL.qd512LatencyUs, 0.2)
  })

  it('needs the calibrated bytes in flight to reach saturation (within 20 %)', async () => {
    const max = (await closedLoop(512)).iops
    let knee = 0
    for (let depth = 1; depth <= 256 && knee === 0; depth++) {
      if ((await closedLoop(depth, 10)).iops >= 0.9 * max) knee = depth
    }
    expect(knee).toBeGreaterThan(0)
    within(knee * 4 * KIB, CAL_KNEE_BYTES, 0.2)
  })
})

describe('Media: units, stripes and the link', () => {
  const media = (fields: Partial<MediaFields> = {}) =>
    new Media(
      new Engine(),
      { latencyUs: 100, channels: 2, stripeBytes: 32 * KIB, bandwidth: 1e9, jitter: 0, ...fields },
      new Rng(1),
    )

  it('serves `channels` commands at once; the next waits for a unit', () => {
    const m = media()
    // 4 KiB crosses a 1 GB/s link in 4.1 µs, after 100 µs on its unit.
    expect([m.completionTick(4 * KIB), m.completionTick(4 * KIB), m.completionTick(4 * KIB)]).toEqual([
      105, 109, 205,
    ])
  })

  it('stripes a large command over the units, and its chunks share the link', () => {
    // 128 KiB = 4 chunks on 4 units: all read by 100 µs, then 131 µs on the link.
    expect(media({ channels: 4 }).completionTick(128 * KIB)).toBe(232)
    // On 1 unit the chunks take turns: 4 × 100 µs, the last one's transfer after.
    expect(media({ channels: 1 }).completionTick(128 * KIB)).toBe(433)
  })

  it('never moves more than its link: a saturated device completes bandwidth × time', () => {
    const m = media({ channels: 64, latencyUs: 10 })
    let last = 0
    for (let i = 0; i < 1000; i++) last = m.completionTick(64 * KIB)
    // 1000 × 64 KiB at 1 GB/s = 65.5 ms of link time.
    expect(last).toBeGreaterThanOrEqual(65_536)
    expect(last).toBeLessThan(65_536 + 20)
  })
})

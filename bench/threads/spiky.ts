import { lib } from '../lib.js'
import { MODES, nextPow2 } from './modes.js'
import type { ThreadPool } from './thread-pool.js'

export interface ModeError {
  mode: string
  /** What the mode reports (undefined for off). */
  reported: number | undefined
  /** The true peak: the largest sum of the threads' levels at a phase barrier. */
  peak: number
  error: number
  /** The mode's stated bound (batched: areas × (batch − 1); exact: 0). */
  bound: number | undefined
}

/**
 * The hiwater error of each mode on a spiky workload: in phase p, thread p mod T maps up to 75 % of
 * its area while the others hold a little; every thread holds its level 2 ms, then all unmap. Areas
 * peak at different times, as in Michael Kelley's review of the per-area patch. Levels only rise
 * within an up phase and all fall to zero between, so the true peak is the largest sum at a barrier.
 */
export async function hiwaterErrors(
  workers: ThreadPool,
  t: number,
  batch: number,
  areaBytes: number,
): Promise<ModeError[]> {
  const areas = nextPow2(t)
  const areaSlots = areaBytes / 2048
  const phases = 4 * t
  const plan = Array.from({ length: t }, (_, i) =>
    Array.from({ length: phases }, (_, p) =>
      p % t === i ? Math.floor(areaSlots * 0.75) : 20 + ((i * 7 + p * 13) % 40),
    ),
  )
  let peak = 0
  for (let p = 0; p < phases; p++)
    peak = Math.max(
      peak,
      plan.reduce((sum, levels) => sum + levels[p]!, 0),
    )
  const out: ModeError[] = []
  for (const mode of MODES) {
    const pool = new lib.SharedSwiotlb({
      size: areas * areaBytes,
      areas,
      backing: false,
      throttle: false,
      hiwater: { mode, batch, intervalMs: 10 },
    })
    const ctl = new SharedArrayBuffer(8)
    let thread = 0
    await workers.run(t, () => ({
      kind: 'spiky',
      handle: pool.handle,
      plan: plan[thread++]!,
      holdMs: 2,
      ctl,
      threads: t,
    }))
    const s = pool.stats()
    pool.close()
    const reported = s.hiwater
    out.push({
      mode,
      reported,
      peak,
      error: reported === undefined ? Number.NaN : Math.abs(reported - peak),
      bound: s.hiwaterBound,
    })
  }
  return out
}

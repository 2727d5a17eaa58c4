import { availableParallelism } from 'node:os'
import { type BenchCase, type RunOptions, result } from '../case.js'
import { cpuNow, fmt, median } from '../harness.js'
import { lib } from '../lib.js'
import { MODES, nextPow2 } from './modes.js'
import { hiwaterErrors, type ModeError } from './spiky.js'
import { ThreadPool } from './thread-pool.js'

const BOUNCES = [0, 4096, 65536] as const
/** Per area: room for every thread's mappings in flight whatever the bounce size. */
const AREA_BYTES = 4 * 1024 * 1024
const BATCH = 32

/** 1, 2, 4, ... up to `max`, and `max` itself. */
function threadCounts(max: number): number[] {
  const counts: number[] = []
  for (let t = 1; t < max; t *= 2) counts.push(t)
  counts.push(max)
  return counts
}

/**
 * `npm run bench -- --only threads`: map + bounce + unmap throughput of a SharedSwiotlb from 1 to N
 * worker threads (N = the cores, at most 16, or THREADS_MAX), for each hiwater mode and bounce size,
 * each as a ratio to `off` measured in the same round; then each mode's hiwater error on a spiky
 * workload, checked against batched's stated bound (areas × (batch − 1)).
 */
export const threads: BenchCase = {
  id: 'threads',
  async run(options) {
    const max = Number(process.env['THREADS_MAX'] ?? Math.min(availableParallelism(), 16))
    const workers = await ThreadPool.start(max)
    const rows: { bounce: number; threads: number; off: number; ratios: number[] }[] = []
    let errors: ModeError[]
    try {
      // Warm-up: every worker runs every mode and size once, so that the timed rounds run optimized code.
      for (const bounce of BOUNCES)
        for (const mode of MODES) await trial(workers, max, mode, bounce, options.timeMs / 2, options.clock)
      for (const bounce of BOUNCES) {
        for (const t of threadCounts(max)) {
          const rates = MODES.map(() => [] as number[])
          const ratios = MODES.map(() => [] as number[])
          for (let round = 0; round < options.rounds; round++) {
            const perMode: number[] = []
            for (let k = 0; k < MODES.length; k++) {
              const m = (k + round) % MODES.length
              perMode[m] = await trial(workers, t, MODES[m]!, bounce, options.timeMs, options.clock)
            }
            perMode.forEach((rate, m) => {
              rates[m]!.push(rate)
              ratios[m]!.push(rate / perMode[0]!)
            })
          }
          rows.push({ bounce, threads: t, off: median(rates[0]!), ratios: ratios.map(median) })
        }
      }
      errors = await hiwaterErrors(workers, max, BATCH, AREA_BYTES)
    } finally {
      await workers.close()
    }
    console.log(table(rows, errors, max))
    const head = rows.find((r) => r.bounce === 4096 && r.threads === max)!
    const batched = errors.find((e) => e.mode === 'batched')!
    const bounceName = (b: number) => (b === 0 ? 'none' : `${b / 1024} KiB`)
    return result({
      id: this.id,
      title: `SharedSwiotlb map + 4 KiB bounce + unmap on ${max} threads, batched hiwater ÷ off`,
      metric: `ops/s with hiwater 'batched' ÷ ops/s with 'off' (${options.clock} clock), same round, median over rounds`,
      unit: '×',
      target: { kind: 'min', value: 0.95 },
      value: head.ratios[MODES.indexOf('batched')]!,
      raw: [
        ...rows.flatMap((r) => [
          { label: `${bounceName(r.bounce)}, ${r.threads} thr, off`, value: r.off / 1e6, unit: 'M ops/s' },
          ...MODES.slice(1).map((mode, i) => ({
            label: `${bounceName(r.bounce)}, ${r.threads} thr, ${mode} ÷ off`,
            value: r.ratios[i + 1]!,
            unit: '×',
          })),
        ]),
        ...errors.map((e) => ({ label: `hiwater error, ${e.mode}`, value: e.error, unit: 'slots' })),
        { label: 'batched bound (areas × (batch − 1))', value: batched.bound!, unit: 'slots' },
      ],
      notes: [
        `${max} threads at most, one area each (${fmt(AREA_BYTES / 2 ** 20)} MiB per area), 8 mappings in flight per thread, 'to-device' (one copy per map), bounce none = backing: false`,
        `${options.rounds} rounds of ${options.timeMs} ms per mode; modes rotate within a round; ${options.clock === 'cpu' ? 'ops per CPU-second of the process (--clock wall: per wall second, what an idle machine with a core per thread should use)' : 'ops per wall second, each thread its own run'}`,
        `hiwater error on a spiky workload (one thread spikes per phase), batch ${BATCH}: batched within its bound: ${batched.error <= batched.bound! ? 'yes' : 'NO'}`,
      ],
    })
  },
}

/** One timed run of `t` threads on a fresh pool: operations per second, all threads together. */
async function trial(
  workers: ThreadPool,
  t: number,
  mode: string,
  bounce: number,
  ms: number,
  clock: RunOptions['clock'],
): Promise<number> {
  const areas = nextPow2(t)
  const pool = new lib.SharedSwiotlb({
    size: areas * AREA_BYTES,
    areas,
    backing: bounce !== 0,
    throttle: false,
    hiwater: { mode: mode as (typeof MODES)[number], batch: BATCH },
  })
  const ctl = new SharedArrayBuffer(8)
  const bytes = bounce === 0 ? 4096 : bounce
  const cpu0 = cpuNow()
  const results = (await workers.run(t, () => ({
    kind: 'throughput',
    handle: pool.handle,
    bytes,
    ms,
    ctl,
    threads: t,
  }))) as { ops: number; ms: number }[]
  const cpuMs = cpuNow() - cpu0
  pool.close()
  // 'cpu': operations per CPU-second of the whole process (all threads); 'wall': each thread's
  // operations per second of its own run, added up.
  if (clock === 'cpu') return (results.reduce((sum, r) => sum + r.ops, 0) * 1000) / cpuMs
  return results.reduce((sum, r) => sum + (r.ops * 1000) / r.ms, 0)
}

function table(
  rows: readonly { bounce: number; threads: number; off: number; ratios: number[] }[],
  errors: readonly ModeError[],
  max: number,
): string {
  const lines = [
    `threads bench (${max} threads max): ops/s with 'off', and each mode ÷ off`,
    '',
    '| bounce | threads | off (M ops/s) | exact | per-area | batched | sampled |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.bounce === 0 ? 'none' : `${r.bounce / 1024} KiB`} | ${r.threads} | ${(r.off / 1e6).toFixed(2)} | ${r.ratios
          .slice(1)
          .map((x) => x.toFixed(2))
          .join(' | ')} |`,
    ),
    '',
    '| mode | reported hiwater (slots) | true peak | error | bound |',
    '|---|---|---|---|---|',
    ...errors.map(
      (e) =>
        `| ${e.mode} | ${e.reported ?? '—'} | ${e.peak} | ${e.error} | ${e.bound === undefined ? '—' : e.bound} |`,
    ),
  ]
  return lines.join('\n')
}

import { SLOT_SIZE, Swiotlb } from '../index.js'
import { checkRunOptions, checkSpec } from './check-args.js'
import { SimContext } from './context.js'
import { debugfsUsed } from './debugfs-used.js'
import type { BlockDevice } from './devices/device.js'
import { deviceKind } from './devices/registry.js'
import { Engine, TICK_MS } from './engine.js'
import { SpecError } from './errors.js'
import { Measures } from './measures.js'
import {
  type PolicyInput,
  type PolicyName,
  policyByName,
  policyOptions,
  resolvePolicies,
} from './policies.js'
import { buildPolicyResult } from './policy-result.js'
import { PoolBytesTracker } from './pool-bytes.js'
import { MAP_WAIT_CURVE, type PolicyResult, type PolicySeries, type SimResult, us } from './result.js'
import type { SimSpec } from './spec.js'
import { TimelineRecorder } from './timeline.js'
import { FioRunner } from './workloads/fio-runner.js'
import { Hog } from './workloads/hog.js'
import { JobClone } from './workloads/job-clone.js'

export interface RunOptions {
  /** Seed of every random stream. Default 1. */
  seed?: number
  /** Policies to compare, by name or alias; default: the spec's. */
  policies?: readonly PolicyInput[]
  /** Called with the fraction done (0..1) a few dozen times per policy. */
  onProgress?: (fraction: number) => void
  /** Called with each policy's Swiotlb before its run (e.g. to export its events); may return a detach. */
  observe?: (policy: PolicyName, dma: Swiotlb) => (() => void) | undefined
}

/** Steps of the clock per run (progress reports). */
const SLICES = 40
/** Points of each timeline in the report. */
const CHART_POINTS = 400
/** After the runtime, how long in-flight I/Os get to finish before they count as stuck. */
const GRACE_MS = 2000
/** The longest a run of fio jobs may go on (simulated): a day. */
const FIO_MAX_MS = 86_400_000

/** Runs `spec` once per policy, each on its own clock, pool and devices, with the same seed. */
export async function runSpec(spec: SimSpec, options: RunOptions = {}): Promise<SimResult> {
  checkSpec(spec)
  options = checkRunOptions<RunOptions>(options, ['seed', 'policies', 'onProgress', 'observe'])
  const seed = options.seed ?? 1
  const policies = resolvePolicies(options.policies ?? spec.policies).map((p) => p.name)
  const result: SimResult = {
    scenario: spec.name,
    seed,
    poolBytes: spec.pool.size,
    runtimeMs: spec.runtimeMs,
    cpus: spec.cpus,
    policies: {},
    series: {},
  }
  for (let i = 0; i < policies.length; i++) {
    const policy = policies[i]!
    const progress = options.onProgress
    const run = await runPolicy(
      spec,
      policy,
      seed,
      progress && ((f) => progress((i + f) / policies.length)),
      options.observe === undefined ? {} : { observe: options.observe },
    )
    result.policies[policy] = run.result
    result.series[policy] = run.series
    // A run of fio jobs lasts until its last job finished: say how long that was.
    if (run.series.elapsedMs !== undefined)
      result.runtimeMs = i === 0 ? run.series.elapsedMs : Math.max(result.runtimeMs, run.series.elapsedMs)
  }
  return result
}

/**
 * One policy's run of `spec`. With `stopOnError` the run ends at the first slice that saw an I/O
 * error (sizing needs no more than "not healthy"). `observe` sees the pool before the run starts.
 */
export async function runPolicy(
  spec: SimSpec,
  policy: PolicyInput,
  seed: number,
  onProgress?: (fraction: number) => void,
  options: { stopOnError?: boolean; observe?: RunOptions['observe'] } = {},
): Promise<{ result: PolicyResult; series: PolicySeries }> {
  checkSpec(spec)
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
    throw new SpecError('seed', 'a whole number', seed)
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new SpecError('onProgress', 'a function', onProgress)
  const engine = new Engine()
  const clock = engine.clock
  const definition = policyByName(policy)
  const dma = new Swiotlb(policyOptions(definition.name, spec.pool, spec.tuning, clock))
  const detach = options.observe?.(definition.name, dma)
  const measures = new Measures()
  measures.windowEndMs = spec.runtimeMs
  const ctx = new SimContext(engine, dma, measures, seed, spec.cpus, spec.runtimeMs, spec.vcpu)
  const poolBytes = definition.grows ? new PoolBytesTracker(dma) : undefined
  const recorder = new TimelineRecorder(
    dma,
    spec.runtimeMs / CHART_POINTS,
    definition.threshold(spec.tuning),
    () => measures.total('ioErrors') + measures.importFailures,
    // The chart's high-water line is the summary's: transient pools counted where the policy grows.
    poolBytes === undefined ? undefined : () => poolBytes.hiwater,
  )
  // The vmstat-like sampler starts at a seeded offset: where its ticks fall against the workload is
  // luck, and a seed draws it. It reads debugfs io_tlb_used (io_tlb_used_get → mem_used, the total_used
  // atomic): live transient pools' slots included, as in the exact mark it is compared with.
  let sampledUsed = 0
  let sampler: { unsubscribe(): void } | undefined
  engine.after(ctx.rng('sampler').next() * spec.sampleMs, () => {
    if (ctx.running)
      sampler = dma.usage$(spec.sampleMs).subscribe((s) => {
        const used = debugfsUsed(s)
        if (used > sampledUsed) sampledUsed = used
      })
  })

  const blockDevices = new Map<string, BlockDevice>()
  for (const d of spec.devices) {
    const kind = deviceKind(d.type)
    if (kind.blockIo) blockDevices.set(d.name, kind.create(d, ctx))
    else kind.create(d, ctx).start()
  }
  const hogs = spec.hogs.map((h) => new Hog(h, ctx))
  for (const hog of hogs) hog.start()
  let nextCpu = 0
  const fioJobs = spec.jobs.filter((job) => job.fio !== undefined)
  const fio = fioJobs.length === 0 ? undefined : new FioRunner(ctx, fioJobs, blockDevices, 0)
  for (const job of spec.jobs) {
    if (job.fio !== undefined) continue
    for (let i = 0; i < job.numjobs; i++) {
      const cpu = job.cpus === undefined ? nextCpu++ % spec.cpus : job.cpus[i % job.cpus.length]!
      new JobClone(job, i, cpu, blockDevices.get(job.device)!, ctx).run().catch(ctx.fatal)
    }
  }

  const unhealthy = () =>
    options.stopOnError === true && (measures.total('ioErrors') > 0 || measures.importFailures > 0)
  let elapsedMs = spec.runtimeMs
  if (fio !== undefined) {
    // fio jobs end by themselves (size, runtime, phases): run until the last one has finished.
    ctx.endMs = Number.POSITIVE_INFINITY
    measures.windowEndMs = Number.POSITIVE_INFINITY
    fio.start()
    while (fio.active && clock.now() < FIO_MAX_MS) {
      await clock.advanceBy(spec.runtimeMs / SLICES)
      if (ctx.error !== undefined) throw ctx.error
      onProgress?.(Math.min(0.99, clock.now() / spec.runtimeMs))
      if (unhealthy()) break
    }
    ctx.stop()
    elapsedMs = Math.max(fio.finishedAtMs, TICK_MS)
    onProgress?.(1)
  } else {
    for (let i = 1; i <= SLICES; i++) {
      await clock.advanceBy(spec.runtimeMs / SLICES)
      if (ctx.error !== undefined) throw ctx.error
      onProgress?.(i / SLICES)
      if (unhealthy()) {
        ctx.stop()
        break
      }
    }
  }
  recorder.stop()
  sampler?.unsubscribe()
  for (let waited = 0; measures.inFlight > 0 && waited < GRACE_MS; waited += 10) await clock.advanceBy(10)
  recorder.countLateErrors()
  if (ctx.error !== undefined) throw ctx.error
  const stats = dma.stats()
  detach?.()
  poolBytes?.stop()
  dma.close()
  const result = buildPolicyResult({
    spec: elapsedMs === spec.runtimeMs ? spec : { ...spec, runtimeMs: elapsedMs },
    measures,
    stats,
    perAreaSum: dma.perAreaHiwaterSum() * SLOT_SIZE,
    sampledBytes: sampledUsed * SLOT_SIZE,
    // A pool that never grows is the one the Swiotlb built: whole segments per area, which may be more
    // than the size asked for (1.25 MiB in 4 areas is 2 MiB).
    poolBytes: poolBytes ?? { initial: stats.nslabs * SLOT_SIZE, peak: stats.nslabs * SLOT_SIZE },
    // Growing policies: the debugfs mark, transient pools included; the others have none.
    hiwaterSlots: poolBytes?.hiwater ?? stats.hiwater,
  })
  const series: PolicySeries = { timeline: recorder.timeline, mapWaitCurveUs: buildCurve(measures) }
  if (fio !== undefined) {
    series.elapsedMs = elapsedMs
    series.jobs = fio.stats
  }
  return { result, series }
}

function buildCurve(measures: Measures): number[] {
  return MAP_WAIT_CURVE.map((p) => us(measures.mapWait, p))
}

/**
 * dma-throttle/sim: a discrete-event simulation of DMA bounce buffering on the VirtualClock. Devices,
 * fio-like jobs and hogs drive a real `Swiotlb` through its public API; scenarios compare policies.
 */
import { checkSpec } from './check-args.js'
import { SpecError } from './errors.js'
import { parseSpec } from './parse-spec.js'
import type { PolicyInput } from './policies.js'
import type { SimResult } from './result.js'
import { type RunOptions, runSpec } from './run.js'
import { findScenario } from './scenarios/index.js'
import type { SimSpec } from './spec.js'
import { type FioReadOptions, readFio } from './workloads/fio/plan.js'
import { fioPlanToSpec } from './workloads/fio/to-spec.js'
import { readFioJobFile } from './workloads/fio-file.js'

export { realClock, VirtualClock } from '../index.js'
export { bootParameter, type KernelPool, kernelPool } from './boot-param.js'
export { confidenceLine, exactUpperBound95, ruleOfThree } from './confidence.js'
export { SimContext } from './context.js'
export type { BlockDevice } from './devices/device.js'
export type { BlockDeviceKind, DeviceKind, TrafficDeviceKind } from './devices/kind.js'
export { Link } from './devices/link.js'
export { Media, type MediaFields } from './devices/media.js'
export { Nic, type NicSpec } from './devices/nic.js'
export { Nvme, type NvmeSpec, nvmeKind } from './devices/nvme.js'
export { DEVICE_KINDS, type DeviceSpec, deviceKind } from './devices/registry.js'
export { Scsi, type ScsiSpec } from './devices/scsi.js'
export { MapOptionSet, mapAllNow, mapSg, SG_ENTRY_BYTES } from './devices/sg-map.js'
export { Engine, TICK_MS } from './engine.js'
export { SpecError, UnknownScenarioError } from './errors.js'
export {
  checkHiwaterAreas,
  DEFAULT_INTERVALS_MS,
  defaultHiwaterAreas,
  type HiwaterOptions,
  type HiwaterResult,
  type RatioStats,
  runHiwater,
} from './hiwater.js'
export { Io, type IoOwner } from './io.js'
export { DeviceMeasures, Measures } from './measures.js'
export { headerText, type MergedSweep, MergeError, mergeShards } from './merge.js'
export {
  type ExplainJob,
  type Explanation,
  explainPlan,
  explainSpec,
  explanationText,
  formatExplainTitle,
} from './output/explain.js'
export { planDetails } from './output/explain-details.js'
export { FIO_JSON_VERSION, fioDocument, toFioJson } from './output/fio-json.js'
export { createRunner, defaultJobs, type TaskRunner } from './parallel/runner.js'
export type { RunOutcome, RunTask, Task, TraceOutcome, TraceTask } from './parallel/task.js'
export { DEFAULT_DEVICES, parsePool, parseSpec } from './parse-spec.js'
export {
  builtPoolBytes,
  DEFAULT_POLICIES,
  findPolicy,
  growChunkBytes,
  POLICIES,
  POLICY_NAMES,
  POLICY_SUMMARY,
  type Policy,
  type PolicyDefinition,
  type PolicyInput,
  type PolicyName,
  type PolicyOptions,
  policyOptions,
} from './policies.js'
export {
  type DeviceResult,
  FIO_PERCENTILES,
  MAP_WAIT_CURVE,
  type PolicyResult,
  type PolicySeries,
  type SimResult,
  simulatedIos,
  toJson,
} from './result.js'
export { Rng } from './rng.js'
export { type RunOptions, runPolicy, runSpec } from './run.js'
export { DEFAULT_SCENARIO, findScenario, SCENARIOS, type Scenario } from './scenarios/index.js'
export { inShard, parseShard, type Shard, ShardError, shardRuns, WHOLE } from './shard.js'
export {
  healthy,
  MAINLINE_POLICIES,
  type PolicySize,
  type SizeOptions,
  type SizeResult,
  sizePool,
  sizeToJson,
} from './size.js'
export { type PoolCandidate, PoolGrid } from './size-grid.js'
export { type EvaluateCandidates, type SearchResult, searchSmallest } from './size-search.js'
export {
  DEFAULT_TUNING,
  type HogSpec,
  type JobSpec,
  type PolicyTuning,
  type PoolSpec,
  type SimSpec,
} from './spec.js'
export {
  poolFor,
  runSweep,
  type SweepGrid,
  type SweepHeader,
  type SweepOptions,
  type SweepRow,
  sweepHeader,
  sweepLines,
  sweepPoints,
} from './sweep.js'
export {
  type SweepAnswer,
  type SweepCell,
  sizesAboveWords,
  summarizeSweep,
  VERIFY_ABOVE,
} from './sweep-summary.js'
export type { Timeline } from './timeline.js'
export { UsageTrace } from './usage-trace.js'
export { DEFAULT_VCPU, FREE_VCPU, type VcpuSpec, Vcpus } from './vcpus.js'
export { parseBssplit } from './workloads/bssplit.js'
export { estimateIos } from './workloads/fio/estimate.js'
export type { FioJob, FioPlan } from './workloads/fio/job.js'
export { allOptions, classifyOption, type OptionClass } from './workloads/fio/option-table.js'
export { type FioFile, type FioReadOptions, readFio, UNBOUNDED_RUNTIME_MS } from './workloads/fio/plan.js'
export { FioJobError, type FioNotice, type FioProblem } from './workloads/fio/problems.js'
export { parseFioTimeUs } from './workloads/fio/time-arg.js'
export { type FioMachine, fioPlanToSpec } from './workloads/fio/to-spec.js'
export type { FioJobSpec, IoDirection } from './workloads/fio-job-spec.js'
export { Hog } from './workloads/hog.js'
export { parseJob } from './workloads/job.js'
export { JobClone } from './workloads/job-clone.js'
export { CloneStats, DirectionStats, Latency } from './workloads/job-stats.js'
export * from './workloads/traces/index.js'
export { readFioJobFile }

/** A scenario by name, or a parsed spec, ready to run. */
export function resolveSpec(scenario: string | SimSpec): SimSpec {
  return typeof scenario === 'string'
    ? parseSpec(findScenario(scenario).spec)
    : checkSpec(scenario, 'scenario')
}

/**
 * Runs a scenario (by name, default 'coco-fio') or a spec under each of its policies and returns the
 * result: the object behind `dma-throttle simulate --json`, plus the series the report draws.
 */
export function runScenario(
  scenario: string | SimSpec = 'coco-fio',
  options: RunOptions & { policies?: readonly PolicyInput[] } = {},
): Promise<SimResult> {
  // Async throughout: a bad argument rejects, never throws.
  return Promise.resolve().then(() => runSpec(resolveSpec(scenario), options))
}

/**
 * A spec from a fio job file, with fio's semantics (phases, size and time bounds, effective depth,
 * …): its jobs on the default machine (one NVMe drive, 16 CPUs, 64 MiB). Throws a FioJobError (a
 * SpecError) naming every option it cannot simulate.
 */
export function specFromFioJobFile(text: string, name = 'job-file', options: FioReadOptions = {}): SimSpec {
  if (typeof text !== 'string') throw new SpecError('text', 'the text of an fio job file (a string)', text)
  if (typeof name !== 'string') throw new SpecError('name', 'a string', name)
  return fioPlanToSpec(readFio({ files: [{ name: `${name}.fio`, text }] }, options), { name })
}

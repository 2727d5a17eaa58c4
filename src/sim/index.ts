/**
 * dma-throttle/sim: a discrete-event simulation of DMA bounce buffering on the VirtualClock. Devices,
 * fio-like jobs and hogs drive a real `Swiotlb` through its public API; scenarios compare policies.
 */
import { parseSpec } from './parse-spec.js'
import type { PolicyName } from './policies.js'
import type { SimResult } from './result.js'
import { type RunOptions, runSpec } from './run.js'
import { findScenario } from './scenarios/index.js'
import type { SimSpec } from './spec.js'
import { type FioReadOptions, readFio } from './workloads/fio/plan.js'
import { fioPlanToSpec } from './workloads/fio/to-spec.js'
import { readFioJobFile } from './workloads/fio-file.js'

export { VirtualClock } from '../index.js'
export { SimContext } from './context.js'
export type { BlockDevice } from './devices/device.js'
export { Link } from './devices/link.js'
export { Nic } from './devices/nic.js'
export { Nvme } from './devices/nvme.js'
export { Scsi } from './devices/scsi.js'
export { MapOptionSet, mapAllNow, mapSg, SG_ENTRY_BYTES } from './devices/sg-map.js'
export { Engine, TICK_MS } from './engine.js'
export { SpecError, UnknownScenarioError } from './errors.js'
export { Io, type IoOwner } from './io.js'
export { DeviceMeasures, Measures } from './measures.js'
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
export { DEFAULT_DEVICES, parsePool, parseSpec } from './parse-spec.js'
export {
  DEFAULT_POLICIES,
  DEFAULT_TUNING,
  POLICY_NAMES,
  POLICY_SUMMARY,
  type PolicyName,
  type PolicyTuning,
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
export { healthy, type PolicySize, type SizeOptions, type SizeResult, sizePool, sizeToJson } from './size.js'
export type { DeviceSpec, HogSpec, JobSpec, NicSpec, NvmeSpec, PoolSpec, ScsiSpec, SimSpec } from './spec.js'
export type { Timeline } from './timeline.js'
export { parseBssplit } from './workloads/bssplit.js'
export { estimateIos } from './workloads/fio/estimate.js'
export type { FioJob, FioPlan } from './workloads/fio/job.js'
export { allOptions, classifyOption, type OptionClass } from './workloads/fio/option-table.js'
export { type FioFile, type FioReadOptions, readFio, UNBOUNDED_RUNTIME_MS } from './workloads/fio/plan.js'
export { FioJobError, type FioNotice, type FioProblem } from './workloads/fio/problems.js'
export { type FioMachine, fioPlanToSpec } from './workloads/fio/to-spec.js'
export { parseTimeUs as parseFioTimeUs } from './workloads/fio/units.js'
export type { FioJobSpec, IoDirection } from './workloads/fio-job-spec.js'
export { Hog } from './workloads/hog.js'
export { parseJob } from './workloads/job.js'
export { JobClone } from './workloads/job-clone.js'
export { CloneStats, DirectionStats, Latency } from './workloads/job-stats.js'
export { readFioJobFile }

/** A scenario by name, or a parsed spec, ready to run. */
export function resolveSpec(scenario: string | SimSpec): SimSpec {
  return typeof scenario === 'string' ? parseSpec(findScenario(scenario).spec) : scenario
}

/**
 * Runs a scenario (by name, default 'coco-fio') or a spec under each of its policies and returns the
 * result: the object behind `dma-throttle simulate --json`, plus the series the report draws.
 */
export function runScenario(
  scenario: string | SimSpec = 'coco-fio',
  options: RunOptions & { policies?: readonly PolicyName[] } = {},
): Promise<SimResult> {
  return runSpec(resolveSpec(scenario), options)
}

/**
 * A spec from a fio job file, with fio's semantics (phases, size and time bounds, effective depth,
 * …): its jobs on the default machine (one NVMe drive, 16 CPUs, 64 MiB). Throws a FioJobError (a
 * SpecError) naming every option it cannot simulate.
 */
export function specFromFioJobFile(text: string, name = 'job-file', options: FioReadOptions = {}): SimSpec {
  return fioPlanToSpec(readFio({ files: [{ name: `${name}.fio`, text }] }, options), { name })
}

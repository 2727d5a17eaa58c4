/** Traces: read what a VM's swiotlb really did (docs/trace-format.md) and replay it against the policies. */
export { BlkparsePairer, parseBlkparseLine, sgEntries } from './blkparse.js'
export { BlockHolds } from './block-holds.js'
export { CAPTURE_HEADER, parseCaptureLine } from './capture-format.js'
export { parseFtraceLine } from './ftrace.js'
export {
  type MayBlockRule,
  type PairingCounts,
  PolicyReplay,
  type PolicyReplayOptions,
} from './policy-replay.js'
export {
  DIRECTIONS,
  type TraceEvent,
  type TraceFail,
  type TraceFormat,
  TraceFormatError,
  TraceLostEventsError,
  type TraceMap,
  TraceOptionError,
  type TraceUnmap,
} from './record.js'
export {
  type ReplayOptions,
  type ReplayRun,
  replayAll,
  replayRuns,
  replayTrace,
  type TraceInput,
  type TraceSummary,
} from './replay.js'
export { ReplayBatch } from './replay-batch.js'
export { SamplerBank } from './sampler-bank.js'
export {
  DEFAULT_REORDER_MS,
  detectFormat,
  type HoldSource,
  peekTrace,
  type ReadTraceOptions,
  readTrace,
  type TraceInfo,
} from './source.js'
export { hiwaterTrace, type TraceHiwaterOptions, type TraceHiwaterResult } from './trace-hiwater.js'
export {
  sizeTrace,
  TRACE_LIMIT_BYTES,
  type TracePolicySize,
  type TraceSizeOptions,
  type TraceSizeResult,
} from './trace-size.js'
export { TraceWriter } from './trace-writer.js'

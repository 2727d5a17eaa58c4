export { DEFAULT_POOL_BYTES, MAX_MAPPING_BYTES, SEGMENT_SLOTS, SLOT_SIZE } from './allocator/layout.js'
export { formatBytes, parseBytes } from './allocator/size.js'
export type { Clock, TimerHandle } from './clock/clock.js'
export { realClock } from './clock/real-clock.js'
export { VirtualClock } from './clock/virtual-clock.js'
export {
  ArgumentRangeError,
  ArgumentTypeError,
  ClockBusyError,
  InvalidUnmapError,
  MappingTooLargeError,
  SwiotlbFullError,
  ThrottleTimeoutError,
  WaitCancelledError,
} from './errors.js'
export { atomicPoolBytesFor } from './growth/atomic-pool.js'
export * from './shared/index.js'
export type { SwiotlbEvent, WaitQueueState } from './stats/events.js'
export { Histogram } from './stats/histogram.js'
export type { AreaStats, MappingDirection, PoolStats, SwiotlbStats } from './stats/types.js'
export { Mapping, NoBackingMemoryError, type UnmapOptions } from './swiotlb/mapping.js'
export type {
  GrowthOptions,
  MapOptions,
  NormalizedOptions,
  SwiotlbOptions,
  ThrottleOptions,
} from './swiotlb/options.js'
export { Swiotlb } from './swiotlb/swiotlb.js'
export type { MappingCallback } from './swiotlb/with-mapping.js'
export type { ThrottleMode } from './throttle/policy.js'

import type { MappingDirection } from '../../../index.js'

/**
 * What every trace reader yields, whatever the file's format: one request to map (one mapping, or a
 * block I/O's scatter-gather list), its release, or a map the traced kernel failed.
 *
 * `key` pairs an unmap with its map: the bounce address for our capture format, `device:sector` for
 * blkparse, a counter for ftrace (whose maps carry their own hold time).
 */
export interface TraceMap {
  kind: 'map'
  /** Time in the trace, ns (the capture's clock; the replay starts at the first event). */
  atNs: number
  key: string
  device: string
  /** CPU that mapped (the area hint); -1 when the trace did not record it. */
  cpu: number
  dir: MappingDirection
  /** true: DMA_ATTR_MAY_BLOCK was set; false: it was not; undefined: the kernel could not say. */
  mayBlock: boolean | undefined
  /** Bytes of each entry: one for a single mapping, ≤ 256 KiB each for a block I/O. */
  sizes: readonly number[]
  /** Set when the format has no unmap events (ftrace): the mapping is held this long, ns. */
  holdNs: number | undefined
  /** Where it came from, for messages. */
  line: number
}

export interface TraceUnmap {
  kind: 'unmap'
  atNs: number
  key: string
  device: string
  line: number
}

/** A map that failed in the traced kernel (swiotlb_tbl_map_single returned DMA_MAPPING_ERROR). */
export interface TraceFail {
  kind: 'fail'
  atNs: number
  device: string
  size: number
  line: number
}

export type TraceEvent = TraceMap | TraceUnmap | TraceFail

/** The formats `openTrace` reads. */
export type TraceFormat = 'capture' | 'blkparse' | 'ftrace'

/**
 * A line of a trace that does not follow its format. The message names the file, the line number and
 * what was expected, and quotes the line.
 */
export class TraceFormatError extends Error {
  readonly code = 'ERR_TRACE_FORMAT'
  constructor(
    readonly file: string,
    readonly line: number,
    expected: string,
    text: string,
  ) {
    super(`${file}:${line}: expected ${expected}, got ${JSON.stringify(clip(text))}`)
    this.name = 'TraceFormatError'
  }
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}

/**
 * The kernel's enum dma_data_direction (include/linux/dma-direction.h): DMA_BIDIRECTIONAL = 0,
 * DMA_TO_DEVICE = 1, DMA_FROM_DEVICE = 2 (DMA_NONE = 3 never reaches swiotlb). Traces write the number.
 */
export const DIRECTIONS: readonly MappingDirection[] = ['bidirectional', 'to-device', 'from-device']

/** The kernel's number for a direction. */
export function directionNumber(dir: MappingDirection): number {
  return DIRECTIONS.indexOf(dir)
}

/**
 * A trace that says it lost events (bpftrace's `Lost N events`, ftrace's `[LOST N EVENTS]` or an
 * overwritten ring buffer, blkparse's `Skips:`): maps without their unmaps, or the reverse, would give
 * a wrong answer, so it is refused, with how to record it again.
 */
export class TraceLostEventsError extends Error {
  readonly code = 'ERR_TRACE_LOST_EVENTS'
  constructor(
    readonly file: string,
    readonly line: number,
    what: string,
    remedy: string,
  ) {
    super(`${file}:${line}: ${what}: the trace is incomplete and would give a wrong answer; ${remedy}`)
    this.name = 'TraceLostEventsError'
  }
}

/** A trace that needs an option it was not given (an ftrace trace without a hold time). */
export class TraceOptionError extends Error {
  readonly code = 'ERR_TRACE_OPTION'
  constructor(message: string) {
    super(message)
    this.name = 'TraceOptionError'
  }
}

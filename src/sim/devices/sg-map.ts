import {
  MAX_MAPPING_BYTES,
  type MapOptions,
  type Mapping,
  MappingTooLargeError,
  SwiotlbFullError,
} from '../../index.js'
import type { SimContext } from '../context.js'
import type { Io } from '../io.js'

/** Largest scatter-gather entry: one swiotlb segment (swiotlb_max_mapping_size). */
export const SG_ENTRY_BYTES = MAX_MAPPING_BYTES

/** Map options of one device on one CPU, made once and reused for every request. */
export class MapOptionSet {
  readonly readBlocking: MapOptions
  readonly writeBlocking: MapOptions
  readonly readNow: Omit<MapOptions, 'mayBlock' | 'signal' | 'timeoutMs'>
  readonly writeNow: Omit<MapOptions, 'mayBlock' | 'signal' | 'timeoutMs'>
  constructor(
    device: string,
    cpu: number,
    readonly mayBlock: boolean,
  ) {
    this.readBlocking = { mayBlock, dir: 'from-device', device, cpu }
    this.writeBlocking = { mayBlock, dir: 'to-device', device, cpu }
    this.readNow = { dir: 'from-device', device, cpu }
    this.writeNow = { dir: 'to-device', device, cpu }
  }
}

/**
 * dma_map_sg with the RFC's rule (patch 2): entry 0 may block (when the driver allows it), every later
 * entry is mapped non-blocking. On a failure everything mapped so far is unmapped and the result is
 * false; the caller decides between an I/O error and a requeue. (A plain promise chain rather than an
 * async function: one promise less per I/O on the simulator's hottest path.)
 */
export function mapSg(ctx: SimContext, io: Io, options: MapOptionSet): Promise<boolean> {
  const clock = ctx.engine.clock
  const first = io.bytes < SG_ENTRY_BYTES ? io.bytes : SG_ENTRY_BYTES
  const start = clock.now()
  io.copiedBeforeFailure = 0
  if (!options.mayBlock || !ctx.throttled) {
    // Entry 0 cannot wait (a non-blocking map, or a pool without a throttle): tryMap counts and reports
    // a full pool as map does but builds no error object (a stack trace per failed I/O was 6 % of a
    // run of 'coco-fio'). The outcome is handed on one microtask later, as map's promise hands it, so
    // every run's order of events stays the same.
    let m: Mapping | undefined
    try {
      m = ctx.dma.tryMap(first, io.read ? options.readNow : options.writeNow)
    } catch (error) {
      if (error instanceof MappingTooLargeError) return Promise.resolve(false)
      return Promise.reject(error)
    }
    return Promise.resolve(m).then(
      (found) => found !== undefined && mapped(ctx, io, options, first, clock.now() - start, found),
    )
  }
  return ctx.dma.map(first, io.read ? options.readBlocking : options.writeBlocking).then(
    (m) => mapped(ctx, io, options, first, clock.now() - start, m),
    (error: unknown) => {
      // A full pool (the RFC's failure when full), or a request the budget can never hold.
      if (error instanceof SwiotlbFullError || error instanceof MappingTooLargeError) return false
      throw error
    },
  )
}

/** Entry 0 got `m` after `waitMs`: the rest of the list is mapped non-blocking. */
function mapped(
  ctx: SimContext,
  io: Io,
  options: MapOptionSet,
  first: number,
  waitMs: number,
  m: Mapping,
): boolean {
  io.mapWaitMs = waitMs
  io.maps.push(m)
  return first === io.bytes || mapRest(ctx, io, options, first)
}

/**
 * Entries 1…n, non-blocking; all or nothing. The entries mapped before a failure were copied in, as
 * dma_direct_map_sg copies each entry as it maps it; its cleanup unmaps them without copying back
 * (DMA_ATTR_SKIP_CPU_SYNC).
 */
function mapRest(ctx: SimContext, io: Io, options: MapOptionSet, done: number): boolean {
  const now = io.read ? options.readNow : options.writeNow
  for (let left = io.bytes - done; left > 0; left -= SG_ENTRY_BYTES) {
    const entry = ctx.dma.tryMap(left < SG_ENTRY_BYTES ? left : SG_ENTRY_BYTES, now)
    if (entry === undefined) {
      io.copiedBeforeFailure = io.bytes - left
      io.unmapAll()
      return false
    }
    io.maps.push(entry)
  }
  return true
}

/**
 * Maps `bytes` as non-blocking entries of at most 256 KiB, all or nothing (a dma-buf import). On a
 * failure `failed.copiedBytes` says how many bytes the entries mapped before it held: the kernel copied
 * them in before giving the list up.
 */
export function mapAllNow(
  ctx: SimContext,
  bytes: number,
  options: MapOptionSet,
  failed?: { copiedBytes: number },
): Mapping[] | undefined {
  const maps: Mapping[] = []
  for (let left = bytes; left > 0; left -= SG_ENTRY_BYTES) {
    const m = ctx.dma.tryMap(left < SG_ENTRY_BYTES ? left : SG_ENTRY_BYTES, options.writeNow)
    if (m === undefined) {
      for (const done of maps) done.unmap()
      if (failed !== undefined) failed.copiedBytes = bytes - left
      return undefined
    }
    maps.push(m)
  }
  return maps
}

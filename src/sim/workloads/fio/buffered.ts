import type { Direction, SizeDistribution } from './block-sizes.js'
import type { BufferedModel, PerDirection } from './job.js'
import type { RwMode } from './rw.js'
import { mix } from './seq-rand.js'

/** The page size: the page cache reads and writes whole pages. */
export const PAGE_BYTES = 4096
/** Linux's default read_ahead_kb: sequential buffered reads reach the device in windows this large. */
export const READAHEAD_BYTES = 128 * 1024
/**
 * The largest request the block layer builds for writeback on a swiotlb device: NVMe caps its
 * max_hw_sectors at dma_max_mapping_size(), which swiotlb makes 256 KiB (DESIGN §2, max mapping).
 */
export const WRITEBACK_MAX_BYTES = 256 * 1024
/**
 * Writeback requests in flight: blk-wbt lets background writeback keep wb_normal = (16 + 1) / 2 = 8
 * requests in flight on a device without a smaller queue (RWB_DEF_DEPTH 16, block/blk-wbt.c).
 */
export const WRITEBACK_DEPTH = 8

/**
 * direct=0: what the page cache sends to the device for a job's reads and writes, on a cold cache (the
 * file is larger than memory, so every read misses and every write is written back):
 *
 * - reads are whole pages; sequential reads arrive as readahead windows of 128 KiB; the thread waits
 *   for each read (libaio and the sync engines do buffered reads synchronously, HOWTO `iodepth`), so
 *   one is in flight, except with io_uring, which hands buffered reads to worker threads (iodepth);
 * - writes are copied into the cache and written back later: random writes as whole pages, sequential
 *   ones merged (or split) into 256 KiB requests, with writeback keeping 8 in flight (blk-wbt); `sync=1` makes each write
 *   go out on its own before the next (depth 1, or iodepth for io_uring);
 * - with percentage_random below 100, that share of a rand* job's I/Os is random and the rest
 *   sequential (`randomShare`, seq-rand.ts): the device sizes mix in that proportion.
 *
 * Not modelled: cache hits, dirty-page limits and when writeback starts; the notice says so.
 */
export function bufferedModel(
  bs: PerDirection<SizeDistribution>,
  engine: string,
  iodepth: number,
  syncWrites: boolean,
  randomShare: PerDirection<number>,
): BufferedModel {
  const asyncEngine = engine === 'io_uring'
  const out = {} as PerDirection<SizeDistribution>
  for (const dir of ['read', 'write', 'trim'] as Direction[]) {
    const pages = merge(
      bs[dir].map(([bytes, p]): [number, number] => [Math.ceil(bytes / PAGE_BYTES) * PAGE_BYTES, p]),
    )
    // Random I/Os reach the device as pages; sequential ones as readahead windows or writeback
    // requests. percentage_random below 100 mixes the two in its proportion.
    if (dir === 'read')
      out[dir] = mix(pages, merge(pages.map(([b, p]) => [Math.max(b, READAHEAD_BYTES), p])), randomShare.read)
    else if (dir === 'write' && !syncWrites)
      out[dir] = mix(pages, [[WRITEBACK_MAX_BYTES, 100]], randomShare.write)
    else if (dir === 'trim') out[dir] = bs[dir]
    else out[dir] = pages
  }
  return {
    bs: out,
    readDepth: asyncEngine ? iodepth : 1,
    writeDepth: syncWrites ? (asyncEngine ? iodepth : 1) : WRITEBACK_DEPTH,
  }
}

function merge(d: SizeDistribution): SizeDistribution {
  const byBytes = new Map<number, number>()
  for (const [b, p] of d) byBytes.set(b, (byBytes.get(b) ?? 0) + p)
  return [...byBytes.entries()]
}

/** The notice for a buffered job. */
export function bufferedNotice(
  model: BufferedModel,
  mode: RwMode,
  randomShare: PerDirection<number>,
): string {
  const parts: string[] = []
  const how = (share: number, sequential: string): string =>
    share >= 100
      ? 'whole pages'
      : share <= 0
        ? sequential
        : `whole pages (${share} % random) and ${sequential} (the sequential rest)`
  if (mode.reads)
    parts.push(
      `reads reach the device as ${how(randomShare.read, '128 KiB readahead windows')}, ${model.readDepth} in flight per clone`,
    )
  if (mode.writes)
    parts.push(
      `writes are written back as ${how(randomShare.write, '256 KiB requests')}, ${model.writeDepth} in flight per clone`,
    )
  return `buffered I/O (direct=0) is modelled as page-cache traffic on a cold cache: ${parts.join('; ')}; cache hits and dirty-page limits are not modelled (set direct=1 to simulate direct I/O)`
}

import { builtPoolBytes, type PoolSpec } from '../sim/index.js'

const MIB = 1024 * 1024

/** Bytes as MiB with one decimal ('31.4 MiB'); whole KiB below 1 MiB. */
export function mib(bytes: number): string {
  if (bytes !== 0 && bytes < MIB) return `${Math.round(bytes / 1024)} KiB`
  return `${(bytes / MIB).toFixed(1)} MiB`
}

/**
 * A spec's pool in words: '64.0 MiB pool in 16 areas', and, where the Swiotlb builds more than the size
 * asked for (whole segments per area), that too: '1.2 MiB pool (2.0 MiB built) in 4 areas'.
 */
export function poolWords(pool: PoolSpec): string {
  const built = builtPoolBytes(pool)
  const asBuilt = built === pool.size ? '' : ` (${mib(built)} built)`
  return `${mib(pool.size)} pool${asBuilt} in ${pool.areas} areas`
}

/** A duration given in µs, in the unit that reads best: '0', '850 µs', '12.5 ms', '1.38 s'. */
export function duration(us: number): string {
  if (us === 0) return '0'
  if (us < 1000) return `${Math.round(us)} µs`
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`
  return `${(us / 1_000_000).toFixed(2)} s`
}

/** A count with thousands separators: 229,474. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

import { formatBytes } from '../index.js'
import { CliInputError, CliUsageError } from './errors.js'

/**
 * The largest initial pool the CLI simulates. Why 64 GiB (docs/simulation.md, "Pool sizes"):
 * - the kernel sizes a CoCo guest's pool at 6 % of its memory, clamped to 1 GiB
 *   (arch/x86/mm/mem_encrypt.c); 64 GiB is 6 % of a 1 TiB guest, far past any pool in use;
 * - with `backing: false` the simulator still keeps 5 bytes per 2 KiB slot (the free-run counter and
 *   the live-mapping index), allocated afresh for every policy and every probe of `size`: 160 MiB and
 *   about 0.25 s per run at 64 GiB, 2.5 GiB and 6 s at 1 TiB; at 8 TiB slot numbers pass 32 bits.
 */
export const MAX_POOL = { bytes: 64 * 2 ** 30, label: '64 GiB' } as const

/** Refuses a `--pool` value past the maximum; `value` is the flag as given, `bytes` what it parsed to. */
export function checkPoolFlag(value: string, bytes: number): void {
  if (bytes > MAX_POOL.bytes) {
    throw new CliUsageError(`--pool ${value} is larger than the maximum, ${MAX_POOL.label}`)
  }
}

/** Refuses a spec file whose own pool is past the maximum. */
export function checkSpecPool(file: string, bytes: number): void {
  if (bytes > MAX_POOL.bytes) {
    throw new CliInputError(
      `${file}: pool.size ${exact(bytes)} is larger than the maximum, ${MAX_POOL.label} (use --pool)`,
    )
  }
}

/** '128 GiB' when that is exact, else the byte count: a limit message must not round to the limit. */
function exact(bytes: number): string {
  const text = formatBytes(bytes)
  return text.includes('.') ? `${bytes} bytes` : text
}

/** Renders an offending value for an error message: `-1 (number)`, `"64X" (string)`. */
export function show(value: unknown): string {
  // A caller's object may have getters that throw (a hostile `constructor`, a function's `name`).
  try {
    return showValue(value)
  } catch {
    return `[unreadable] (${typeof value})`
  }
}

function showValue(value: unknown): string {
  let text: string
  if (typeof value === 'string') text = JSON.stringify(value)
  else if (typeof value === 'bigint') text = `${value}n`
  else if (typeof value === 'function') text = `[function ${value.name || 'anonymous'}]`
  else if (typeof value === 'symbol') text = value.toString()
  else if (value === null) return 'null'
  else if (Array.isArray(value)) text = `[array of ${value.length}]`
  else if (typeof value === 'object') text = `[${value.constructor?.name ?? 'object'}]`
  else text = String(value)
  return `${text} (${typeof value})`
}

/** A wrong type for an option or argument. */
export class ArgumentTypeError extends TypeError {
  readonly code = 'ERR_INVALID_ARG_TYPE'
  constructor(what: string, expected: string, value: unknown) {
    super(`Expected \`${what}\` to be ${expected}, got ${show(value)}`)
    this.name = 'TypeError'
  }
}

/** A value of the right type outside its allowed range. */
export class ArgumentRangeError extends RangeError {
  readonly code = 'ERR_OUT_OF_RANGE'
  constructor(what: string, expected: string, value: unknown) {
    super(`Expected \`${what}\` to be ${expected}, got ${show(value)}`)
    this.name = 'RangeError'
  }
}

/** A plain options object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Throws ArgumentRangeError naming the first key of `value` that is not in `allowed`. */
export function onlyKeys(what: string, value: object, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new ArgumentRangeError(what, `one of the keys ${allowed.join(', ')}`, key)
  }
}

/** No pool has room for a non-blocking request. The message follows the kernel's. */
export class SwiotlbFullError extends Error {
  readonly code = 'ERR_SWIOTLB_FULL'
  constructor(
    readonly sizeBytes: number,
    readonly totalSlots: number,
    readonly usedSlots: number,
  ) {
    super(
      `swiotlb buffer is full (sz: ${sizeBytes} bytes), total ${totalSlots} (slots), used ${usedSlots} (slots)`,
    )
    this.name = 'SwiotlbFullError'
  }
}

/** A request that can never fit: above the largest mapping, or larger than any pool may ever be. */
export class MappingTooLargeError extends RangeError {
  readonly code = 'ERR_MAPPING_TOO_LARGE'
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
    reason = 'swiotlb_max_mapping_size',
  ) {
    super(`mapping of ${sizeBytes} bytes can never fit: largest is ${maxBytes} bytes (${reason})`)
    this.name = 'MappingTooLargeError'
  }
}

/** An unmap of something that is not a live mapping. Nothing changes. */
export class InvalidUnmapError extends Error {
  readonly code = 'ERR_INVALID_UNMAP'
  constructor(message: string) {
    super(message)
    this.name = 'InvalidUnmapError'
  }
}

/** A blocking map waited longer than its `timeoutMs`. Named 'TimeoutError' like DOMException's. */
export class ThrottleTimeoutError extends Error {
  readonly code = 'ERR_THROTTLE_TIMEOUT'
  constructor(
    readonly timeoutMs: number,
    readonly sizeBytes: number,
  ) {
    super(`waited ${timeoutMs} ms for ${sizeBytes} bytes of swiotlb budget`)
    this.name = 'TimeoutError'
  }
}

/** A VirtualClock asked to advance while an earlier advanceBy/runAll is still running. Nothing moved. */
export class ClockBusyError extends Error {
  readonly code = 'ERR_CLOCK_BUSY'
  constructor(call: string) {
    super(`VirtualClock is already advancing: await the earlier advanceBy/runAll before ${call}`)
    this.name = 'ClockBusyError'
  }
}

/** A waiting blocking request rejected by `cancelWaiting()` without a reason of the caller's. */
export class WaitCancelledError extends Error {
  readonly code = 'ERR_WAIT_CANCELLED'
  constructor(
    readonly sizeBytes: number,
    readonly device: string,
  ) {
    super(
      `cancelled while waiting for ${sizeBytes} bytes of swiotlb budget (device ${JSON.stringify(device)})`,
    )
    this.name = 'AbortError'
  }
}

import type { Thresholds } from './model-policies.js'
import { SLOT } from './model-pools.js'

export const TYPE = 'ERR_INVALID_ARG_TYPE'
export const RANGE = 'ERR_OUT_OF_RANGE'

/** A coded error the pool may throw for a bad input, and the value its message must show. */
export interface Refusal {
  readonly code: typeof TYPE | typeof RANGE
  readonly value: unknown
}

const KEYS = ['high', 'low', 'budgetBytes']

function fractionProblem(value: unknown): Refusal | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number') return { code: TYPE, value }
  return value > 0 && value <= 1 ? undefined : { code: RANGE, value }
}

/**
 * `setThrottle(input)` as docs/api.md states it, written from the text and not from the code:
 * `{ high?, low? }` (numbers in (0, 1], `low ≤ high`; a field left out keeps its value, `low` follows
 * a lower `high` down) or `{ budgetBytes, low? }` (a whole number of bytes from 2048 to the pool's size,
 * rounded down to whole slots; giving `high` too is refused). Returns the thresholds to apply, or every
 * refusal the input earns (the pool reports one of them: the text does not order the checks).
 */
export function retune(input: unknown, t: Thresholds, nslabs: number): Thresholds | Refusal[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return [{ code: TYPE, value: input }]
  const value = input as Record<string, unknown>
  const problems: Refusal[] = []
  for (const key of Object.keys(value)) if (!KEYS.includes(key)) problems.push({ code: RANGE, value: key })
  const { high, low, budgetBytes } = value
  if (high !== undefined && budgetBytes !== undefined) {
    problems.push({ code: RANGE, value: high }, { code: RANGE, value: budgetBytes })
  }
  for (const p of [fractionProblem(high), fractionProblem(low)]) if (p !== undefined) problems.push(p)
  if (budgetBytes !== undefined) {
    if (typeof budgetBytes !== 'number') problems.push({ code: TYPE, value: budgetBytes })
    else if (!Number.isSafeInteger(budgetBytes) || budgetBytes < SLOT || budgetBytes > nslabs * SLOT)
      problems.push({ code: RANGE, value: budgetBytes })
  }
  if (problems.length > 0) return problems
  let next: Thresholds
  if (typeof budgetBytes === 'number') {
    // The budget is fixed in slots; the marks stay fractions (what 'serialize' reads): this one.
    const slots = Math.floor(budgetBytes / SLOT)
    const h = slots / nslabs
    next = { high: h, low: (low as number | undefined) ?? Math.min(t.low, h), budgetSlots: slots }
  } else if (typeof high === 'number') {
    // A high given makes the budget follow capacity again.
    next = { high, low: (low as number | undefined) ?? Math.min(t.low, high), budgetSlots: undefined }
  } else next = { ...t, low: (low as number | undefined) ?? t.low }
  return next.low > next.high ? [{ code: RANGE, value: next.low }] : next
}

/** How an error message shows an offending value (api.md: `got 1.5 (number)`, `got "4" (string)`). */
export function shown(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`
  if (Array.isArray(value)) return `[array of ${value.length}] (object)`
  if (typeof value === 'object') return `[${value.constructor?.name ?? 'object'}] (object)`
  return `${String(value)} (${typeof value})`
}

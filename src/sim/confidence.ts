import { ArgumentRangeError } from '../errors.js'
/**
 * What n runs without a failure say about the failure probability p of one run. The exact one-sided
 * 95 % upper bound solves (1 − p)^n = 0.05, p = 1 − 0.05^(1/n); the rule of three, p < 3/n, is always
 * above it (−ln 0.05 = 2.996 < 3 and 1 − e^(−x) < x), so stating 3/n is safe and easy to check by hand.
 */
export function ruleOfThree(n: number): number {
  return 3 / n
}

/** The exact bound, for the record and the tests. */
export function exactUpperBound95(n: number): number {
  return 1 - 0.05 ** (1 / n)
}

/** The confidence statement of `size`, in words an operator can repeat. */
export function confidenceLine(failures: number, runs: number): string {
  if (!Number.isSafeInteger(runs) || runs < 1) {
    throw new ArgumentRangeError('runs', 'a whole number from 1', runs)
  }
  if (!Number.isSafeInteger(failures) || failures < 0 || failures > runs) {
    throw new ArgumentRangeError('failures', `a whole number from 0 to runs (${runs})`, failures)
  }
  if (failures > 0) return `${failures} failures in ${runs} runs: not a healthy size`
  if (runs <= 3) return `0 failures in ${runs} runs: too few runs to bound the failure probability (3/n ≥ 1)`
  const { text, exact } = percentUp(300, runs)
  return `0 failures in ${runs} runs: the failure probability per run is below 3/${runs} ${exact ? '=' : '<'} ${text} % at 95 % confidence`
}

/**
 * `num / den` as a percentage figure, rounded **up** (a bound must not round down past what it bounds:
 * 3/2000 = 0.15 % printed as "0.1 %" would claim more than 2,000 runs show): one decimal from 1 % on,
 * two significant digits below. `exact` says whether the figure is the fraction itself.
 */
function percentUp(num: number, den: number): { text: string; exact: boolean } {
  const pct = num / den
  const decimals = pct >= 1 ? 1 : 1 - Math.floor(Math.log10(pct))
  const scaled = num * 10 ** decimals
  const units = Math.ceil(scaled / den)
  const text = (units / 10 ** decimals).toFixed(decimals).replace(/\.?0+$/, '')
  return { text, exact: units * den === scaled }
}

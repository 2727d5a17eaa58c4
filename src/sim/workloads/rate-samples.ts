/**
 * fio's io_stat over bandwidth or IOPS samples (stat.h struct io_stat): how many, min, max, mean and S,
 * the sum of squared distances from the mean (Welford), from which calc_lat gives the sample stddev.
 */
export interface SampleSummary {
  samples: number
  min: number
  max: number
  mean: number
  s: number
}

export const NO_SAMPLES: SampleSummary = { samples: 0, min: 0, max: 0, mean: 0, s: 0 }

/**
 * group_reporting and unified_rw_reporting add bandwidth and IOPS up rather than average them: fio's
 * sum_stat with pure_sum (stat.c:1986-2010) adds samples, min, max, mean and S of each clone.
 */
export function pureSum(a: SampleSummary, b: SampleSummary): SampleSummary {
  if (b.samples === 0) return a
  if (a.samples === 0) return b
  return {
    samples: a.samples + b.samples,
    min: a.min + b.min,
    max: a.max + b.max,
    mean: a.mean + b.mean,
    s: a.s + b.s,
  }
}

/** Sample standard deviation from S, as fio's calc_lat: 0 below two samples. */
export function sampleStddev(x: SampleSummary): number {
  return x.samples < 2 ? 0 : Math.sqrt(Math.max(0, x.s / (x.samples - 1)))
}

/**
 * Bandwidth (KiB/s) or IOPS samples of one clone and direction, taken as fio's helper thread takes them
 * (stat.c:3450-3515, __add_samples, from calc_log_samples): every `periodMs` (bwavgtime, iopsavgtime)
 * after the statistics start, while the clone is still running. A period in which the direction
 * completed nothing adds no sample; a sample is the amount over the period, in whole units (fio's
 * integer division: bytes × 1000 / ms / 1024 for KiB/s). The clock ticks at the period's end, so the
 * period that ends as the clone ends (a 2 s job's fourth 500 ms period) gives no sample: fio's thread
 * has left TD_RUNNING by then (fio 3.33 reports 3 samples for a 2 s job).
 */
export class RateSamples {
  readonly values: number[] = []
  #from = 0
  #amount = 0

  constructor(
    readonly periodMs: number,
    /** 1024 for KiB/s from bytes; 1 for I/Os per second. */
    readonly unit: number,
  ) {}

  start(atMs: number): void {
    this.#from = atMs
    this.#amount = 0
  }

  /** `amount` completed at `atMs` (an I/O completing on a tick counts in the period that ends there). */
  add(atMs: number, amount: number): void {
    this.#closeBefore(atMs)
    this.#amount += amount
  }

  /** The clone ended at `atMs`: ticks before it sample; the period it ended in does not. */
  finish(atMs: number): void {
    this.#closeBefore(atMs)
  }

  #closeBefore(atMs: number): void {
    while (this.#from + this.periodMs < atMs) {
      if (this.#amount > 0) {
        this.values.push(Math.floor(Math.floor((this.#amount * 1000) / this.periodMs) / this.unit))
      }
      this.#from += this.periodMs
      this.#amount = 0
    }
  }

  /** The samples as fio's io_stat (min and max are whole numbers already). */
  summary(): SampleSummary {
    const v = this.values
    if (v.length === 0) return NO_SAMPLES
    const mean = v.reduce((a, b) => a + b, 0) / v.length
    const s = v.reduce((a, x) => a + (x - mean) ** 2, 0)
    return { samples: v.length, min: Math.min(...v), max: Math.max(...v), mean, s }
  }
}

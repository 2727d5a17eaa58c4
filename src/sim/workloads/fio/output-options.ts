import { type Effective, required } from './effective.js'
import type { FioJob } from './job.js'
import { FioValueError } from './problems.js'
import { parseBool } from './units.js'

/** fio's default percentile list (stat.c, HOWTO `percentile_list`). */
export const FIO_DEFAULT_PERCENTILES = [
  1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99,
] as const

/** The options that shape fio's own output, honoured by `--output-format=fio-json`. */
export function readOutput(o: Effective): FioJob['output'] {
  return {
    clat: o.read('clat_percentiles', (v) => parseBool(v, false), true),
    lat: o.read('lat_percentiles', (v) => parseBool(v, false), false),
    slat: o.read('slat_percentiles', (v) => parseBool(v, false), false),
    percentiles: o.read('percentile_list', (v) => percentileList(required(v)), [...FIO_DEFAULT_PERCENTILES]),
    groupReporting: o.read('group_reporting', (v) => parseBool(v, true), false),
    bwAvgMs: o.integer('bwavgtime', 1, 2 ** 32 - 1, 500),
    iopsAvgMs: o.integer('iopsavgtime', 1, 2 ** 32 - 1, 500),
  }
}

/** `percentile_list=99.0:99.9:99.99`: up to 20 values in [0, 100]. */
function percentileList(text: string): number[] {
  const values = text.split(':').map((t) => t.trim())
  if (values.length > 20) throw new FioValueError('at most 20 percentiles like 50:99:99.9')
  return values.map((t) => {
    const n = Number(t)
    if (t === '' || !Number.isFinite(n) || n < 0 || n > 100) {
      throw new FioValueError('percentiles from 0 to 100 like 50:99:99.9')
    }
    return n
  })
}

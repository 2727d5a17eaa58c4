import { SpecError } from '../errors.js'
import { bytes } from './values.js'

/**
 * fio's bssplit: 'size/percent:size/percent…', e.g. '4k/50:64k/30:1m/20'. An entry without a percent
 * shares what the others leave, as fio does. Percentages must add up to 100.
 */
export function parseBssplit(field: string, value: unknown): Array<{ bytes: number; weight: number }> {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SpecError(field, "a list like '4k/50:64k/30:1m/20'", value)
  }
  const entries: Array<{ bytes: number; weight: number | undefined }> = []
  for (const part of value.split(':')) {
    const [size, percent, extra] = part.split('/')
    if (extra !== undefined || size === undefined || size.trim() === '') {
      throw new SpecError(field, "a list like '4k/50:64k/30:1m/20'", value)
    }
    let weight: number | undefined
    if (percent !== undefined && percent.trim() !== '') {
      weight = Number(percent)
      if (!Number.isFinite(weight) || weight < 0 || weight > 100) {
        throw new SpecError(`${field} percent`, 'a number in [0, 100]', percent)
      }
    }
    entries.push({ bytes: bytes(`${field} size`, size), weight })
  }
  const given = entries.reduce((sum, e) => sum + (e.weight ?? 0), 0)
  const open = entries.filter((e) => e.weight === undefined).length
  if (given > 100 + 1e-9 || (open === 0 && Math.abs(given - 100) > 1e-9)) {
    throw new SpecError(field, 'percentages that add up to 100', value)
  }
  const share = open === 0 ? 0 : (100 - given) / open
  return entries.map((e) => ({ bytes: e.bytes, weight: e.weight ?? share })).filter((e) => e.weight > 0)
}

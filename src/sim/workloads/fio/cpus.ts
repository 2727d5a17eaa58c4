import { type Effective, required } from './effective.js'
import { type FioLog, FioValueError } from './problems.js'
import { parseInteger } from './units.js'

/** cpus_allowed ('0-3,8') or cpumask (a bit mask), and cpus_allowed_policy. */
export function readCpus(
  o: Effective,
  cpus: number,
  log: FioLog,
): { list: number[] | undefined; split: boolean } {
  const split = o.read('cpus_allowed_policy', (v) => policy(required(v)), false)
  // Both are read (fio parses each); the later one sets the CPUs.
  const mask = o.read('cpumask', (v) => maskCpus(parseInteger(required(v)), cpus), undefined)
  const allowed = o.read('cpus_allowed', (v) => cpuList(required(v), cpus), undefined)
  const list = o.order('cpumask') > o.order('cpus_allowed') ? mask : allowed
  const given = o.text('cpus_allowed') ?? o.text('cpumask')
  if (
    list !== undefined &&
    given !== undefined &&
    /\d/.test(given) &&
    list.some((c) => c >= cpus) === false
  ) {
    const wanted = o.order('cpumask') > o.order('cpus_allowed') ? maskSize(given) : listSize(given)
    if (wanted > list.length)
      log.notice(
        'cpus_allowed',
        `CPUs beyond the simulated machine's ${cpus} are left out; the clones share the others`,
      )
  }
  return { list, split }
}

function listSize(text: string): number {
  let n = 0
  for (const part of text.split(',')) {
    const [lo, hi = lo] = part.trim().split('-').map(Number) as [number, number?]
    n += Math.abs(hi! - lo) + 1
  }
  return n
}

function maskSize(text: string): number {
  const n = Number(text)
  return Number.isFinite(n) ? n.toString(2).replace(/0/g, '').length : 0
}

function policy(v: string): boolean {
  if (v === 'shared' || v === 'split') return v === 'split'
  throw new FioValueError('shared or split')
}

function maskCpus(mask: number, cpus: number): number[] {
  const list: number[] = []
  for (let c = 0; c < 53; c++) if (Math.floor(mask / 2 ** c) % 2 === 1) list.push(c)
  return checkCpus(list, cpus)
}

function cpuList(text: string, cpus: number): number[] {
  if (!/^\s*\d+(-\d+)?(\s*,\s*\d+(-\d+)?)*\s*$/.test(text)) {
    throw new FioValueError('a CPU list like 0-3,8')
  }
  const list: number[] = []
  for (const part of text.split(',')) {
    const [lo, hi = lo] = part.trim().split('-').map(Number) as [number, number?]
    for (let c = Math.min(lo, hi!); c <= Math.max(lo, hi!); c++) if (!list.includes(c)) list.push(c)
  }
  return checkCpus(list, cpus)
}

function checkCpus(list: number[], cpus: number): number[] {
  const inside = list.filter((c) => c < cpus)
  if (inside.length === 0) throw new FioValueError(`CPUs of the simulated machine (0-${cpus - 1})`)
  return inside
}

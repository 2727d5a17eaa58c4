import { describe, expect, it } from 'vitest'
import type { CaseResult } from '../../bench/case.js'
import { median } from '../../bench/harness.js'
import { combine } from '../../bench/processes.js'

function run(value: number | undefined, raw: number[], skipped?: string): CaseResult {
  return {
    id: 'c',
    title: 'a case',
    metric: 'anchor ÷ ours',
    target: { kind: 'min', value: 1.5 },
    value,
    unit: '×',
    pass: value === undefined ? undefined : value >= 1.5,
    spread: [0, 9],
    raw: raw.map((v, i) => ({ label: `row ${i}`, value: v, unit: 'ns' })),
    notes: ['a note'],
    ...(skipped === undefined ? {} : { skipped }),
  }
}

describe('bench --processes: one result from every process', () => {
  it('takes the median of an odd and an even count', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('judges the median, gives the processes range as the spread and each raw row its median', () => {
    const r = combine([run(1.4, [10, 100]), run(2.2, [30, 300]), run(1.6, [20, 200])])
    expect(r.value).toBe(1.6)
    expect(r.pass).toBe(true)
    expect(r.spread).toEqual([1.4, 2.2])
    expect(r.processes).toEqual([1.4, 2.2, 1.6])
    expect(r.raw.map((m) => m.value)).toEqual([20, 200])
    expect(r.notes).toEqual(['a note'])
  })

  it('a lucky process does not decide the verdict', () => {
    expect(combine([run(1.3, [1]), run(2.3, [1]), run(1.2, [1])]).pass).toBe(false)
  })

  it('leaves out processes where the case was skipped, and keeps the skip when all were', () => {
    const some = combine([run(undefined, [], 'no threads'), run(1.7, [5])])
    expect(some.value).toBe(1.7)
    expect(some.skipped).toBeUndefined()
    expect(some.raw.map((m) => m.value)).toEqual([5])
    const all = combine([run(undefined, [], 'no threads'), run(undefined, [], 'no threads')])
    expect(all.skipped).toBe('no threads')
    expect(all.value).toBeUndefined()
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { MergeError, mergeShards, shardRuns, summarizeSweep } from '../../src/sim/index.js'
import { params } from '../helpers/fc-params.js'
import { memoryIo } from './cli-io.js'
import { TINY_SPEC } from './tiny-spec.js'

const GRID = ['tiny.json', '--pools', '2M,3M,4M', '--seeds', '2']

async function cli(args: string[], files: Record<string, string> = {}) {
  const { io, out } = memoryIo({ files: { 'tiny.json': TINY_SPEC, ...files } })
  const code = await main(args, io)
  return { code, ...out }
}

describe('sweep: one row per run, the same bytes however it is run', () => {
  it('--jobs 1, --jobs 2 and 4 shards merged print the same JSON Lines and the same table', async () => {
    const one = await cli(['sweep', ...GRID, '--json', '--jobs', '1'])
    const two = await cli(['sweep', ...GRID, '--json', '--jobs', '2'])
    expect(one.code).toBe(0)
    expect(two.stdout).toBe(one.stdout)
    const lines = one.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(1 + 2 * 3 * 2)
    expect(JSON.parse(lines[0]!)).toMatchObject({
      kind: 'dma-throttle sweep',
      specs: ['tiny'],
      policies: ['fail', 'throttle'],
      poolBytes: [2 * 2 ** 20, 3 * 2 ** 20, 4 * 2 ** 20],
      seeds: { first: 1, count: 2 },
      runs: 12,
    })
    expect(JSON.parse(lines[1]!)).toMatchObject({
      run: 0,
      spec: 'tiny',
      policy: 'fail',
      poolBytes: 2 ** 21,
      seed: 1,
    })

    const shards: Record<string, string> = {}
    for (let i = 1; i <= 4; i++) {
      const shard = await cli(['sweep', ...GRID, '--shard', `${i}/4`, '--jobs', '1'])
      expect(shard.code).toBe(0)
      const header = JSON.parse(shard.stdout.split('\n')[0]!)
      expect(header.shard).toEqual({ index: i, count: 4 })
      expect(shard.stdout.trimEnd().split('\n')).toHaveLength(1 + 3) // runs i−1, i+3, i+7
      shards[`s${i}.jsonl`] = shard.stdout
    }
    // Any order of files: the merge puts runs back in order.
    const merged = await cli(['merge', 's3.jsonl', 's1.jsonl', 's4.jsonl', 's2.jsonl', '--json'], shards)
    expect(merged.code).toBe(0)
    expect(merged.stdout).toBe(one.stdout)

    const table = await cli(['sweep', ...GRID, '--jobs', '2'])
    const mergedTable = await cli(['merge', 's1.jsonl', 's2.jsonl', 's3.jsonl', 's4.jsonl'], shards)
    expect(mergedTable.stdout).toBe(table.stdout)
    expect(table.stdout).toContain('sweep: 12 runs (1 spec × 2 policies × 3 pool sizes × 2 seeds from 1)')
    expect(table.stdout).toMatch(
      /^tiny +fail +3\.0 MiB +0 failures in 2 runs +1 size healthy, the largest run; no larger size was checked$/m,
    )
  })
})

describe('any shard count merges back to the unsharded run, more shards than runs too', () => {
  it('n from 1 to runs + 3: slices as --shard cuts them, merged in any order, are the whole run', async () => {
    const whole = await cli(['sweep', ...GRID, '--json', '--jobs', '1'])
    const [head, ...rows] = whole.stdout.trimEnd().split('\n')
    const runs = rows.length
    // A shard past the last run runs nothing and prints its header alone.
    const empty = await cli(['sweep', ...GRID, '--shard', `${runs + 1}/${runs + 1}`, '--jobs', '1'])
    expect(empty.stdout).toBe(`${head!.slice(0, -1)},"shard":{"index":${runs + 1},"count":${runs + 1}}}\n`)
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: runs + 3 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
            ),
          ),
        ([n, order]) => {
          const files = order.map((k) => {
            const shard = { index: k + 1, count: n }
            const text = [
              `${head!.slice(0, -1)},"shard":${JSON.stringify(shard)}}`,
              ...shardRuns(runs, shard).map((r) => rows[r]!),
            ].join('\n')
            return { name: `s${k + 1}.jsonl`, text: `${text}\n` }
          })
          expect(mergeShards(files).text).toBe(whole.stdout)
        },
      ),
      params(100),
    )
  })
})

describe('--shard always prints JSON Lines that merge takes', () => {
  it('--shard 1/1 and --shard auto resolving to one shard print the header and rows, not the table', async () => {
    const whole = await cli(['sweep', ...GRID, '--json', '--jobs', '1'])
    const table = await cli(['sweep', ...GRID, '--jobs', '1'])
    const one = await cli(['sweep', ...GRID, '--shard', '1/1', '--jobs', '1'])
    expect(one.code).toBe(0)
    expect(JSON.parse(one.stdout.split('\n')[0]!).shard).toEqual({ index: 1, count: 1 })
    const { io, out } = memoryIo({ files: { 'tiny.json': TINY_SPEC }, env: { PARALLEL_SEQ: '1' } })
    expect(await main(['sweep', ...GRID, '--shard', 'auto/1', '--jobs', '1'], io)).toBe(0)
    expect(out.stdout).toBe(one.stdout)
    const merged = await cli(['merge', 'one.jsonl', '--json'], { 'one.jsonl': one.stdout })
    expect(merged.code).toBe(0)
    expect(merged.stdout).toBe(whole.stdout)
    expect((await cli(['merge', 'one.jsonl'], { 'one.jsonl': one.stdout })).stdout).toBe(table.stdout)
  })
})

describe('the sweep answer says which larger sizes were checked', () => {
  it('at the top of the grid: healthy there, and no larger size was run', async () => {
    const grid = ['tiny.json', '--policies', 'fail', '--pools', '1M,2M,3M', '--seeds', '3', '--jobs', '1']
    const r = await cli(['sweep', ...grid])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain('and in the 2 sizes above it')
    expect(r.stdout).toMatch(
      /^tiny +fail +3\.0 MiB +0 failures in 3 runs +none: the largest size run; no larger size was checked$/m,
    )
    const { answers } = summarizeSweep(
      JSON.parse(
        `[${(await cli(['sweep', ...grid, '--json'])).stdout.trimEnd().split('\n').slice(1).join(',')}]`,
      ),
    )
    expect(answers).toEqual([
      { spec: 'tiny', policy: 'fail', minPoolBytes: 3 * 2 ** 20, runsAtAnswer: 3, sizesAbove: 0 },
    ])
    const html = await cli(['sweep', ...grid, '--report', 'r.html'])
    expect(html.written.get('r.html')).toContain(
      '3.0 MiB, the smallest pool of the grid healthy in every seed; the largest size run, no larger size was checked (0 failures in 3 runs)',
    )
  })
})

describe('merge: exactly one whole sweep, or a one-line refusal', () => {
  const header = (shard: string) =>
    `{"kind":"dma-throttle sweep","version":1,"specs":["x"],"specHash":"ab","policies":["fail"],"poolBytes":[],"seeds":{"first":1,"count":4},"runs":4${shard}}`
  const row = (run: number) => `{"run":${run},"spec":"x","policy":"fail","seed":${run + 1}}`
  const shard = (i: number, runs: number[], n = 2) =>
    [header(`,"shard":{"index":${i},"count":${n}}`), ...runs.map(row)].join('\n')

  it('puts rows back in run order and drops the shard from the header', () => {
    const merged = mergeShards([
      { name: 'b', text: shard(2, [1, 3]) },
      { name: 'a', text: shard(1, [0, 2]) },
    ])
    expect(merged.text).toBe(`${[header(''), row(0), row(1), row(2), row(3)].join('\n')}\n`)
    expect(shardRuns(4, { index: 2, count: 2 })).toEqual([1, 3])
  })

  it('reads CRLF line endings and a trailing blank line as the same lines', () => {
    const lf = mergeShards([
      { name: 'a', text: shard(1, [0, 2]) },
      { name: 'b', text: shard(2, [1, 3]) },
    ])
    const crlf = mergeShards([
      { name: 'a', text: `${shard(1, [0, 2]).replaceAll('\n', '\r\n')}\r\n\r\n` },
      { name: 'b', text: `${shard(2, [1, 3]).replaceAll('\n', '\r\n')}\r\n` },
    ])
    expect(crlf.text).toBe(lf.text)
    expect(crlf.text).not.toContain('\r')
    expect(crlf.rows).toEqual(lf.rows)
  })

  it('refuses a missing shard, a shard twice, a cut-short shard, another sweep, a stray row', () => {
    const cases: Array<[Array<{ name: string; text: string }>, string]> = [
      [[{ name: 'a', text: shard(1, [0, 2]) }], 'shard 2/2 is missing'],
      [
        [
          { name: 'a', text: shard(1, [0, 2]) },
          { name: 'c', text: shard(1, [0, 2]) },
        ],
        'c: shard 1/2 was given before, in a',
      ],
      [
        [
          { name: 'a', text: shard(1, [0, 2]) },
          { name: 'b', text: shard(2, [1]) },
        ],
        '1 runs are missing (the first is run 3): a shard was cut short',
      ],
      [
        [
          { name: 'a', text: shard(1, [0, 2]) },
          { name: 'b', text: shard(2, [1, 3]).replace('"ab"', '"cd"') },
        ],
        "b: its header describes another sweep than a's",
      ],
      [
        [
          { name: 'a', text: shard(1, [0, 1]) },
          { name: 'b', text: shard(2, [1, 3]) },
        ],
        'a: run 1 does not belong to shard 1/2',
      ],
      [[{ name: 'a', text: 'not json' }], 'a: line 1 is not a JSON object'],
      [
        [{ name: 'a', text: '{"kind":"other"}' }],
        'a: line 1 is not the header of a dma-throttle sweep (version 1)',
      ],
      [
        [
          { name: 'a', text: shard(1, [0, 3], 3) },
          { name: 'b', text: shard(2, [1, 3]) },
        ],
        'b: shard 2/2 is not one of 3 shards',
      ],
    ]
    for (const [files, message] of cases) {
      expect(() => mergeShards(files)).toThrow(MergeError)
      expect(() => mergeShards(files)).toThrow(message)
    }
  })

  it('each command refuses the flags it does not take', async () => {
    for (const [args, message] of [
      [['size', 'tiny.json', '--shard', '1/2'], 'size does not take --shard'],
      [['sweep', 'tiny.json', '--pool', '2M'], 'sweep does not take --pool: give the sizes with --pools'],
      [['hiwater', 'tiny.json', '--pools', '2M'], 'hiwater does not take --pools'],
      [['merge', 'a.jsonl', '--jobs', '2'], 'merge does not take --jobs'],
      [
        ['sweep'],
        "sweep takes one or more scenarios or files, or fio's arguments after --, e.g. `dma-throttle sweep coco-fio`",
      ],
    ] as const) {
      const r = await cli([...args])
      expect(r.code).toBe(2)
      expect(r.stderr).toBe(`dma-throttle: ${message}\n`)
    }
  })

  it('the CLI names an unreadable file', async () => {
    const r = await cli(['merge', 'nope.jsonl'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('dma-throttle: cannot read nope.jsonl: no such file\n')
  })
})

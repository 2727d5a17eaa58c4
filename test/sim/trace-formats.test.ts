import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  BlockHolds,
  parseCaptureLine,
  parseFtraceLine,
  readTrace,
  replayAll,
  type TraceEvent,
  TraceFormatError,
  TraceLostEventsError,
  TraceOptionError,
} from '../../src/sim/index.js'

const DIR = mkdtempSync(join(tmpdir(), 'dma-throttle-traces-'))
const FIXTURE = join(import.meta.dirname, 'fixtures', 'blkparse-default.txt')
const SCRIPT = readFileSync(join(import.meta.dirname, '..', '..', 'tools', 'swiotlb-trace.bt'), 'utf8')

function file(name: string, text: string): string {
  const path = join(DIR, name)
  writeFileSync(path, text)
  return path
}

async function events(path: string, options = {}): Promise<TraceEvent[]> {
  const out: TraceEvent[] = []
  for await (const e of readTrace(path, options)) out.push(e)
  return out
}

/** The printf formats of tools/swiotlb-trace.bt, in the order the script has them. */
function scriptFormats(): string[] {
  return [...SCRIPT.matchAll(/printf\("([^"]*)"/g)].map((m) => m[1]!.replace(/\\n/g, '\n'))
}

/** C printf for the conversions the script uses (%llu %lu %d %s %lx), as bpftrace prints them. */
function printf(format: string, ...args: Array<number | string | bigint>): string {
  let i = 0
  return format.replace(/%(llu|lu|lx|d|s)/g, (_, conv: string) => {
    const v = args[i++]!
    return conv === 'lx' ? BigInt(v).toString(16) : String(v)
  })
}

describe('capture format: the lines tools/swiotlb-trace.bt prints', () => {
  const [header, comment, fail, map, unmap] = scriptFormats()

  it('the script prints the versioned header, then map, unmap and fail lines', () => {
    expect(header).toBe('# dma-throttle-trace v1\n')
    expect(comment).toMatch(/^# /)
    expect(fail).toMatch(/ fail /)
    expect(map).toMatch(/ map /)
    expect(unmap).toMatch(/ unmap /)
  })

  it('parses each kind of line as the script formats it', () => {
    const mapLine = printf(map!, 1234567890123, 5, '0000:00:04.0', 4096, 4096, 1, -1, 0x7f3e2000n).trimEnd()
    const unmapLine = printf(unmap!, 1234567990123, 2, '0000:00:04.0', 4096, 1, 0x7f3e2000n).trimEnd()
    const failLine = printf(fail!, 1234568000000, 0, 'vmbus_0_12', 65536, 69632, 2, 1).trimEnd()
    expect(mapLine).toBe('1234567890123 5 map 0000:00:04.0 4096 4096 1 -1 0x7f3e2000')
    expect(parseCaptureLine(mapLine, 2, 'vm.trace')).toEqual({
      kind: 'map',
      atNs: 1234567890123,
      key: '0x7f3e2000',
      device: '0000:00:04.0',
      cpu: 5,
      dir: 'to-device',
      mayBlock: undefined,
      sizes: [4096],
      holdNs: undefined,
      line: 2,
    })
    expect(parseCaptureLine(unmapLine, 3, 'vm.trace')).toEqual({
      kind: 'unmap',
      atNs: 1234567990123,
      key: '0x7f3e2000',
      device: '0000:00:04.0',
      line: 3,
    })
    // The pool is occupied by the alloc size (69632 = 64 KiB + a page of alignment).
    expect(parseCaptureLine(failLine, 4, 'vm.trace')).toEqual({
      kind: 'fail',
      atNs: 1234568000000,
      device: 'vmbus_0_12',
      size: 69632,
      line: 4,
    })
    expect(parseCaptureLine(printf(map!, 1, 0, 'd', 512, 512, 2, 1, 16n), 5, 'f')).toMatchObject({
      dir: 'from-device',
      mayBlock: true,
    })
  })

  it('a malformed line is a TraceFormatError naming the file, the line and the text', async () => {
    const cases: Array<[string, RegExp]> = [
      ['1000 0 map nvme0 4096 4096 1 1', /bad\.trace:3: expected 9 fields for a map line/],
      ['1000 0 map nvme0 4096 2048 1 1 0x10', /alloc size of at least the size \(4096\)/],
      ['1000 0 map nvme0 4096 4096 7 1 0x10', /direction 0, 1 or 2/],
      ['1000 0 map nvme0 4096 4096 1 2 0x10', /may block 1, 0 or -1/],
      ['1000 0 map nvme0 0 0 1 1 0x10', /a size in bytes/],
      ['10.5 0 unmap nvme0 4096 1 0x10', /a time in ns/],
      ['1000 0 unmap nvme0 4096 1 16', /a tlb address/],
      ['1000 x map nvme0 4096 4096 1 1 0x10', /a CPU number/],
      ['hello world', /a capture line/],
    ]
    for (const [line, message] of cases) {
      const path = file('bad.trace', `# dma-throttle-trace v1\n# comment\n${line}\n`)
      const error = await events(path).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TraceFormatError)
      expect((error as TraceFormatError).code).toBe('ERR_TRACE_FORMAT')
      expect((error as TraceFormatError).line).toBe(3)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).toContain(JSON.stringify(line))
    }
  })

  it('a file of no known format fails on its first line; a missing file rejects with ENOENT', async () => {
    const error = await events(file('x.txt', '\nnot a trace\n')).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/x\.txt:2: expected a trace/)
    const missing = await events(join(DIR, 'missing.trace')).catch((e: unknown) => e)
    expect((missing as { code?: string }).code).toBe('ENOENT')
  })

  it('sorts lines that come out of order within the reorder window, and refuses older ones', async () => {
    const text = [
      '# dma-throttle-trace v1',
      '3000000 1 map d 4096 4096 1 1 0x1',
      '1000000 0 map d 4096 4096 1 1 0x2',
      '3000000 0 unmap d 4096 1 0x2',
      '2000000 1 unmap d 4096 1 0x1',
    ].join('\n')
    const path = file('order.trace', text)
    expect((await events(path)).map((e) => `${e.kind}@${e.atNs}`)).toEqual([
      'map@1000000',
      'unmap@2000000',
      'map@3000000',
      'unmap@3000000',
    ])
    const late = file(
      'late.trace',
      ['# dma-throttle-trace v1', '1000000', '5000000', '9000000', '4000000']
        .map((t, i) => (i === 0 ? t : `${t} 0 map d 4096 4096 1 1 0x${i}`))
        .join('\n'),
    )
    expect(await events(late)).toHaveLength(4) // within the default 100 ms
    const error = await events(late, { reorderMs: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TraceFormatError)
    expect((error as Error).message).toMatch(
      /late\.trace:5: expected a time no earlier than 5000000 ns \(line 3\)/,
    )
  })
})

describe('blkparse default output', () => {
  it('pairs issues with completions by device and sector into I/Os of ≤ 256 KiB entries', async () => {
    const list = await events(FIXTURE)
    const ios: string[] = []
    const issued = new Map<string, TraceEvent & { kind: 'map' }>()
    for (const e of list) {
      if (e.kind === 'map') issued.set(e.key, e)
      else if (e.kind === 'unmap') {
        const d = issued.get(e.key)
        if (d === undefined) ios.push(`${e.key} unmap of no map`)
        else ios.push(`${d.device} ${d.dir} [${d.sizes.join(',')}] cpu ${d.cpu} hold ${e.atNs - d.atNs} ns`)
        issued.delete(e.key)
      }
    }
    expect(ios).toEqual([
      '8,0 to-device [4096] cpu 3 hold 140000 ns',
      '8,0 from-device [262144,262144] cpu 1 hold 880000 ns',
      '8,16 from-device [262144,45056] cpu 0 hold 800000 ns',
      '8,0:5000 unmap of no map',
      '8,32 to-device [131072] cpu 1 hold 100000 ns', // requeued: the driver unmapped
      '8,32 to-device [131072] cpu 1 hold 200000 ns',
    ])
    expect([...issued.keys()]).toEqual(['8,0:7000'])
    expect(list.every((e) => e.kind !== 'map' || e.mayBlock === undefined)).toBe(true)
  })

  it('replays it: unpaired maps and unmaps per device, the rest passed over, the summary read for skips only', async () => {
    const { summary, policies } = await replayAll(FIXTURE, { size: 4 << 20, areas: 1 }, ['fail'])
    expect(summary).toEqual({
      trace: 'blkparse-default.txt',
      format: 'blkparse',
      lines: 31, // the summary too, read for its count of skipped events
      events: 12,
      passedOver: 8, // Q, G, I, the flush's D and C, the discard, P, U
      durationMs: 2.49,
      cpus: 4, // the highest CPU of an issue (D) is 3
      pool: undefined,
      unpaired: { maps: { '8,0': 1 }, unmaps: { '8,0': 1 } },
      traceFailures: {},
      devices: ['8,0', '8,16', '8,32'], // each issues (D) at least one I/O
    })
    const fail = policies.fail!
    expect(fail.ioErrors).toBe(0)
    expect(Object.fromEntries(Object.entries(fail.devices).map(([d, r]) => [d, r.ios]))).toEqual({
      '8,0': 2,
      '8,16': 1,
      '8,32': 2,
    })
    // Live at once: the 512 KiB read and the 300 KiB read (256 + 44 KiB); the 4 KiB write is gone.
    expect(fail.hiwater.exact).toBe(512 * 1024 + 300 * 1024)
  })

  it('gives ftrace maps their hold from the block I/O issued last before them', async () => {
    const holds = await BlockHolds.load(FIXTURE)
    expect([...holds.issuedNs]).toEqual([10000, 20000, 200000, 2000000, 2300000])
    expect([...holds.spanNs]).toEqual([140000, 880000, 800000, 100000, 200000])
    expect([0, 15000, 20000, 1999999, 5e9].map((t) => holds.holdAt(t))).toEqual([
      140000, 140000, 880000, 800000, 200000,
    ])
  })

  it('reads the -t form and refuses a line that is no blkparse line', async () => {
    const ok = file('t.txt', '  8,0    1        1     0.000001000   10  D   R 8 + 8 (     120) [fio]\n')
    expect(await events(ok)).toMatchObject([{ kind: 'map', key: '8,0:8', sizes: [4096] }])
    const bad = file('b.txt', '  8,0    1        1     0.000001000   10  D   R 8 + 8 [fio]\n8,0 garbage\n')
    await expect(events(bad)).rejects.toThrow(/b\.txt:2: expected a blkparse line/)
  })
})

describe('what the tools print around a trace, and lost events (found by review)', () => {
  const CAPTURE = '# dma-throttle-trace v1\n1000 0 map nvme0 4096 4096 1 1 0x1000\n'
  const BLK =
    '  8,0    1        1     0.000001000   10  D   R 8 + 8 [fio]\n  8,0    1        2     0.000002000    0  C   R 8 + 8 [0]\n'

  it("reads bpftrace's and blkparse's own first lines as what they are", async () => {
    const capture = file('attach.trace', `Attaching 4 probes...\n${CAPTURE}`)
    expect(await events(capture)).toMatchObject([{ kind: 'map', key: '0x1000', sizes: [4096] }])
    const blk = file('input.txt', `Input file sda.blktrace.0 added\nInput file sda.blktrace.1 added\n${BLK}`)
    expect(await events(blk)).toMatchObject([{ kind: 'map' }, { kind: 'unmap' }])
    expect((await BlockHolds.load(blk)).count).toBe(1)
  })

  it('refuses a trace that says it lost events, naming the line and how to record again', async () => {
    const cases: Array<[string, RegExp]> = [
      [`${CAPTURE}Lost 12 events\n`, /lost\.trace:3: bpftrace says "Lost 12 events".*BPFTRACE_PERF_RB_PAGES/],
      [
        '# tracer: nop\n# entries-in-buffer/entries-written: 4/1000   #P:8\n',
        /lost\.trace:2: the buffer kept 4 of 1000 events written/,
      ],
      ['# tracer: nop\n##### CPU 2 buffer started ####\n', /lost\.trace:2: a CPU's buffer wrapped/],
      ['# tracer: nop\nCPU:3 [LOST 120 EVENTS]\n', /lost\.trace:2: ftrace says "CPU:3 \[LOST 120 EVENTS\]"/],
      ['# tracer: nop\nCPU:0 [LOST EVENTS]\n', /ftrace says "CPU:0 \[LOST EVENTS\]"/],
      [
        `${BLK}\nTotal (8,0):\nSkips:        3 forward (      12 -   0.1%)\n`,
        /lost\.trace:5: blkparse counted 3 skipped events/,
      ],
    ]
    for (const [text, message] of cases) {
      const path = file('lost.trace', text)
      const read = events(path, { hold: { holdNs: 1e6 } })
      await expect(read).rejects.toBeInstanceOf(TraceLostEventsError)
      await expect(events(path, { hold: { holdNs: 1e6 } })).rejects.toThrow(message)
    }
    // A complete buffer, and a summary without skips, are read as before.
    const whole = file('whole.trace', '# tracer: nop\n# entries-in-buffer/entries-written: 4/4   #P:8\n')
    expect(await events(whole, { hold: { holdNs: 1e6 } })).toEqual([])
    const noSkips = file('noskips.txt', `${BLK}\nTotal (8,0):\nSkips: 0 forward (0 -   0.0%)\n`)
    expect(await events(noSkips)).toHaveLength(2)
  })

  it('--hold-from refuses a block trace with no completed I/O instead of holding every map 0 ms', async () => {
    const path = file(
      'noc.txt',
      '  8,0    1        1     0.000001000   10  Q   R 8 + 8 [fio]\n  8,0    1        2     0.000002000   10  D   R 8 + 8 [fio]\n',
    )
    await expect(BlockHolds.load(path)).rejects.toThrow(/no block I\/O in it completes/)
  })

  it("reads the NO_FORCE symbol of 4.10 to 5.16 (xen-swiotlb's)", () => {
    const line =
      '  a-1 [000] 1.000001: swiotlb_bounced: dev_name: xen dma_mask=ffffffff dev_addr=1000 size=512 NO_FORCE'
    expect(parseFtraceLine(line, 1, 'f')).toMatchObject({ device: 'xen', size: 512 })
  })
})

describe('ftrace swiotlb_bounced lines', () => {
  const lines = [
    '# tracer: nop',
    '#',
    '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION',
    '    kworker/u16:2-123     [003] d..1.  4242.123456: swiotlb_bounced: dev_name: 0000:00:04.0 dma_mask=ffffffffffffffff dev_addr=7e3f2000 size=4096',
    '            fio-9-77      [001] .....  4242.123500: block_rq_issue: 259,0 R 4096 () 8 + 8 [fio]',
    '          <idle>-0        [000]   4242.124000: swiotlb_bounced: dev_name: 0000:00:05.0 dma_mask=ffffffff dev_addr=1000 size=65536 FORCE',
  ]

  it('parses the event with and without the flags column and the old force symbol', () => {
    expect(parseFtraceLine(lines[3]!, 4, 'f')).toEqual({
      atNs: 4242123456000,
      cpu: 3,
      device: '0000:00:04.0',
      size: 4096,
    })
    expect(parseFtraceLine(lines[4]!, 5, 'f')).toBe('other')
    expect(parseFtraceLine(lines[5]!, 6, 'f')).toEqual({
      atNs: 4242124000000,
      cpu: 0,
      device: '0000:00:05.0',
      size: 65536,
    })
    expect(() =>
      parseFtraceLine('  a-1 [000] 1.000001: swiotlb_bounced: dev_name: x size=4096', 9, 'f.txt'),
    ).toThrow(/f\.txt:9: expected swiotlb_bounced fields/)
  })

  it('holds each map the constant given, and needs one', async () => {
    const path = file('ft.txt', `${lines.join('\n')}\n`)
    const list = await events(path, { hold: { holdNs: 2e6 } })
    expect(list).toEqual([
      expect.objectContaining({ kind: 'map', atNs: 4242123456000, sizes: [4096], holdNs: 2e6, line: 4 }),
      expect.objectContaining({ kind: 'map', atNs: 4242124000000, sizes: [65536], holdNs: 2e6, line: 6 }),
    ])
    await expect(events(path)).rejects.toBeInstanceOf(TraceOptionError)
  })
})

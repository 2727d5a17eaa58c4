import { describe, expect, it } from 'vitest'
import { readFio } from '../../src/sim/index.js'
import { problemLines, refusedLine } from './fio-problems.js'

// No-effect options whose value fio reads with a callback of its own (fio's options.c), checked as
// that callback reads it. Each case was run through fio (built from source, fio-3.42 at f5344384):
// `--parse-only`, or, where the callback skips its checks there (ignore_error, the CPU lists), a real
// run with ioengine=null; refused means "failed parsing" and the job dropped.
const lines = (text: string, cpus?: number): string[] =>
  problemLines(() => readFio({ files: [{ name: 'a.fio', text }] }, cpus === undefined ? {} : { cpus }))
const job = (line: string) => `[t]\nrw=randread\nsize=1m\n${line}\n`
const refusal = (line: string, cpus?: number) => lines(job(line), cpus)
const expectRefused = (line: string, expected: string, why: string, cpus?: number) =>
  expect(refusal(line, cpus)).toEqual([refusedLine(line, expected, why, 4)])

describe('plids / fdp_pli: options.c str_fdp_pli_cb', () => {
  const ids = 'placement IDs like 0-3,8 (at most 128, each at most 0xFFFF)'
  it.each([
    // "Placement IDs cannot exceed 0xFFFF"; strtoull's base 0 reads hex, its overflow is UINT_MAX.
    ['plids=65536', 'ID 65536: fio "Placement IDs cannot exceed 0xFFFF"'],
    ['fdp_pli=0x10000', 'ID 65536: fio "Placement IDs cannot exceed 0xFFFF"'],
    ['plids=4294967295', 'ID 4294967295: fio "Placement IDs cannot exceed 0xFFFF"'],
    ['plids=18446744073709551616', 'ID 4294967295: fio "Placement IDs cannot exceed 0xFFFF"'],
    // "only 128 IDs supported" (FIO_MAX_DP_IDS), counted over the whole list, met before 0xFFFF.
    ['plids=0-128', 'more than 128 IDs: fio "only 128 IDs supported"'],
    ['plids=0-63,0-64', 'more than 128 IDs: fio "only 128 IDs supported"'],
    ['plids=1-2-70000', 'more than 128 IDs: fio "only 128 IDs supported"'],
    // start > end: fio fails without a message.
    ['plids=3-1', 'a range from 3 down to 1, which fio refuses'],
  ])('%s', (line, why) => expectRefused(line, ids, why))

  it.each([
    'plids=0-127',
    'plids=0-63,0-63', // 128 IDs, repeats counted
    'plids=65535',
    'plids=0x10', // base 0
    'plids=010',
    'plids=4294967296', // strtoull into an unsigned int: 0
    'plids=abc', // strtoull reads 0
    'plids=-5', // the '-' splits: an empty first piece, ID 0
    'plids=1,,99999', // strsep stops at the empty item
    'plids=',
  ])('%s is taken', (line) => expect(refusal(line)).toEqual([]))
})

describe('ignore_error: options.c str_ignore_error_cb, ignore_error_type, str2error', () => {
  const errors = 'error names or numbers like EIO:ENOSPC,EIO (":"-lists for reads, writes, verifies)'
  it.each([
    ['ignore_error=eio', 'fio: "Unknown error eio, please use number value"'],
    ['ignore_error=ENOTSUP', 'fio: "Unknown error ENOTSUP, please use number value"'],
    ['ignore_error=EIO:abc', 'fio: "Unknown error abc, please use number value"'],
    ['ignore_error=0', 'fio: "Unknown error 0, please use number value"'],
    ['ignore_error=0x', 'fio: "Unknown error 0x, please use number value"'],
    // strtol's long made an int: 2^32 is 0.
    ['ignore_error=4294967296', 'fio: "Unknown error 4294967296, please use number value"'],
    [
      'ignore_error=-9223372036854775809',
      'fio: "Unknown error -9223372036854775809, please use number value"',
    ],
    ['ignore_error=EIO :5', 'fio: "Unknown error EIO , please use number value"'],
    // ERROR_TYPE_CNT is 3: reads, writes, verifies.
    ['ignore_error=EIO,EIO,EIO,', 'a 4th list: fio "Illegal error type"'],
    ['ignore_error=,,,', 'a 4th list: fio "Illegal error type"'],
  ])('%s', (line, why) => expectRefused(line, errors, why))

  it.each([
    'ignore_error=EIO,ENOSPC:5,0x10',
    'ignore_error=EWOULDBLOCK',
    'ignore_error=EHWPOISON',
    'ignore_error=0X1f',
    'ignore_error=-5', // made positive
    'ignore_error=5abc', // strtol reads 5
    'ignore_error=1e3',
    'ignore_error=2147483648', // INT_MIN: not 0
    'ignore_error=99999999999999999999', // LONG_MAX as an int: -1
    'ignore_error=EIO::abc', // strsep stops at the empty item
    'ignore_error=EIO: 5',
    'ignore_error=,EIO',
    'ignore_error=EIO,',
    'ignore_error=',
  ])('%s is taken', (line) => expect(refusal(line)).toEqual([]))
})

describe('verify_async_cpus, log_compression_cpus: options.c set_cpus_allowed, on the simulated machine', () => {
  it('a CPU of 1024 or more is refused on any machine (FIO_MAX_CPUS)', () => {
    expectRefused(
      'verify_async_cpus=0,1024',
      'CPUs like 0-3,8',
      'CPU 1024: fio "your OS only supports up to 1024 CPUs"',
    )
    expectRefused(
      'log_compression_cpus=1000-2000',
      'CPUs like 0-3,8',
      'CPU 1024: fio "your OS only supports up to 1024 CPUs"',
    )
  })

  it('a list whose CPUs are all beyond the simulated machine is refused, as cpus_allowed is', () => {
    // fio: "CPU 2 too large (max=1)" on a 2-CPU machine.
    const expected = 'CPUs of the simulated machine (0-1)'
    const why = 'none of them is on it: fio refuses a CPU its machine does not have'
    expectRefused('verify_async_cpus=2', expected, why, 2)
    expectRefused('log_compression_cpus=2-5,7', expected, why, 2)
    expect(refusal('log_compression_cpus=2-5,7', 8)).toEqual([])
    // cpus_allowed with the same list is refused the same way.
    expect(refusal('cpus_allowed=2-5,7', 2)).toEqual([
      'Expected `[t].cpus_allowed` to be CPUs of the simulated machine (0-1), got "2-5,7" (a.fio:4)',
    ])
  })

  it.each([
    'verify_async_cpus=0-1',
    'verify_async_cpus=1,5', // like cpus_allowed: CPU 1 is on the machine (fio on 2 CPUs refuses 5)
    'verify_async_cpus=abc', // atoi: CPU 0
    'verify_async_cpus=1-0', // a range that goes down names no CPU
    'verify_async_cpus=-5', // the '-' splits: CPU 0
    'verify_async_cpus=0,,9', // strsep stops at the empty item
    'verify_async_cpus=4294967296', // atoi into an int: 0
    'verify_async_cpus=',
  ])('%s is taken on a 2-CPU machine', (line) => expect(refusal(line, 2)).toEqual([]))
})

describe('random_distribution: options.c str_random_distribution_cb', () => {
  it.each([
    ['random_distribution=zipf:1', 'zipf:θ[:center], θ not 1', 'fio refuses a zipf theta of 1.0'],
    ['random_distribution=zipf:abc', 'zipf:θ[:center], θ not 1', 'fio: "random postfix parsing failed"'],
    ['random_distribution=zipf:', 'zipf:θ[:center], θ not 1', 'fio: "random postfix parsing failed"'],
    ['random_distribution=zipf:1.2:x', 'zipf:θ[:center], θ not 1', 'fio: "random postfix parsing failed"'],
    [
      'random_distribution=zipf:1.2:2',
      'zipf:θ[:center], θ not 1',
      'fio: "distribution center out of range (0 <= center <= 1.0)"',
    ],
    [
      'random_distribution=pareto:1',
      'pareto:h[:center], 0 < h < 1',
      'fio: "pareto input out of range (0 < input < 1.0)"',
    ],
    [
      'random_distribution=normal:100',
      'normal:deviation[:center], 0 <= deviation < 100',
      'fio: "normal deviation out of range (0 <= input < 100.0)"',
    ],
    // parse_zoned_distribution, zone_split_ddir, split_parse_ddir.
    [
      'random_distribution=zoned',
      'zoned:access/size:… per direction, the access shares adding up to 100',
      'fio: "mismatch in zoned input <zoned>"',
    ],
    [
      'random_distribution=zoned:60/10:30/90',
      'zoned:access/size:… per direction, the access shares adding up to 100',
      `fio: "access percentage don't add up to 100 for zoned random distribution (got=90)"`,
    ],
    [
      'random_distribution=zoned:60/50:40/60',
      'zoned:access/size:… per direction, the access shares adding up to 100',
      'fio: "zone_split percentages add to more than 100%"',
    ],
    [
      'random_distribution=zoned:60/10:40/90,50/50',
      'zoned:access/size:… per direction, the access shares adding up to 100',
      `fio: "access percentage don't add up to 100 for zoned random distribution (got=50)"`,
    ],
    [
      'random_distribution=zoned:abc/10',
      'zoned:access/size:… per direction, the access shares adding up to 100',
      '"abc": fio "split conversion failed"',
    ],
    [
      'random_distribution=zoned_abs:60/x:40/90g',
      'zoned_abs:access/size:… per direction, the access shares adding up to 100',
      '"x": fio "split conversion failed"',
    ],
    // parse_sequence_distribution.
    [
      'random_distribution=sequence',
      'sequence:N,N,… (up to 64 whole numbers)',
      'fio: "missing pattern in sequence distribution"',
    ],
    [
      'random_distribution=sequence:1,-2',
      'sequence:N,N,… (up to 64 whole numbers)',
      'fio: "invalid or negative element <-2> in random_sequence"',
    ],
    [
      `random_distribution=sequence:${Array(65).fill(1).join(',')}`,
      'sequence:N,N,… (up to 64 whole numbers)',
      '65 items: fio supports up to 64 elements',
    ],
  ])('%s', (line, expected, why) => expectRefused(line, expected, why))

  it.each([
    'random_distribution=zipf', // fio's default parameter
    'random_distribution=zipf:1.2:0.5',
    'random_distribution=zipf:1.2:-1', // -1 is fio's "no center"
    'random_distribution=zipf:(1+1)',
    'random_distribution=zipf,1', // no ':' part: the default
    'random_distribution=normal:nan', // NaN fails no comparison
    'random_distribution=random:abc', // random reads no ':' part
    'random_distribution=zoned:', // no entries
    'random_distribution=zoned:60/10:40/90',
    'random_distribution=zoned:60/10:40/90,', // an empty part for writes and trims
    'random_distribution=zoned:356/10', // access is a uint8_t: 356 is 100
    'random_distribution=zoned:60/0:40/0', // 0 shares the rest
    'random_distribution=zoned:60/-5:40', // atoi's -5 as an unsigned long long: past 100, so 100
    'random_distribution=zoned_abs:60/10g:40/90g',
    `random_distribution=sequence:${Array(64).fill(1).join(',')}`,
    'random_distribution=sequence:1, 2 ',
  ])('%s is taken', (line) => expect(refusal(line)).toEqual([]))
})

describe('file_service_type: options.c str_fst_cb', () => {
  it.each([
    ['file_service_type=zipf:1', 'zipf:θ[:center], θ not 1', 'fio refuses a zipf theta of 1.0'],
    [
      'file_service_type=zipf:',
      'zipf:θ[:center], θ not 1',
      'fio: "file service type random postfix parsing failed"',
    ],
    [
      'file_service_type=pareto:2',
      'pareto:h[:center], 0 < h < 1',
      'fio: "pareto input out of range (0 < input < 1.0)"',
    ],
    [
      'file_service_type=gauss:100',
      'gauss:deviation[:center], 0 <= deviation < 100',
      'fio: "normal deviation out of range (0 <= input < 100.0)"',
    ],
    [
      'file_service_type=normal:5:1.5',
      'normal:deviation[:center], 0 <= deviation < 100',
      'fio: "distribution center out of range (0 <= center <= 1.0)"',
    ],
  ])('%s', (line, expected, why) => expectRefused(line, expected, why))

  it.each([
    'file_service_type=random:abc', // atoi: any number of I/Os per file
    'file_service_type=roundrobin:5',
    'file_service_type=sequential:x',
    'file_service_type=zipf',
    'file_service_type=zipf:1.1',
    'file_service_type=normal:5:0.5',
  ])('%s is taken', (line) => expect(refusal(line)).toEqual([]))
})

describe('steadystate / ss: options.c str_steadystate_cb', () => {
  const steady = 'a criterion with its threshold, like iops:100, bw:10m, lat:5ms or iops_slope:2%'
  it.each([
    ['steadystate=iops', 'fio: "steadystate threshold must be specified in addition to criterion"'],
    ['ss=bw,1', 'fio: "steadystate threshold must be specified in addition to criterion"'],
    ['steadystate=iops:abc', 'fio cannot read the IOPS threshold "abc"'],
    ['steadystate=iops:', 'fio cannot read the IOPS threshold ""'],
    ['steadystate=iops:x%', 'fio cannot read the percentage threshold "x%"'],
    ['steadystate=lat:%', 'fio cannot read the percentage threshold "%"'],
    ['steadystate=bw:abc', 'fio cannot read the BW threshold "abc"'],
    ['ss=lat:abc', 'fio cannot read the latency threshold "abc"'],
  ])('%s', (line, why) => expectRefused(line, steady, why))

  it.each([
    'steadystate=iops:10',
    'steadystate=iops:1e3',
    'steadystate=iops:5%',
    'steadystate=bw:10m',
    'steadystate=bw:10 %',
    'steadystate=bw_slope:0.1%',
    'steadystate=lat:5ms',
    'steadystate=lat_slope:10',
    'ss=bw:(1+2)',
  ])('%s is taken', (line) => expect(refusal(line)).toEqual([]))
})

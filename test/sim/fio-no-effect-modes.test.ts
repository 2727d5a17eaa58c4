import { describe, expect, it } from 'vitest'
import { readFio } from '../../src/sim/index.js'
import { problemLines, refusedLine } from './fio-problems.js'

// write_mode, numa_mem_policy, numa_cpu_nodes, buffer_pattern and verify_pattern: no-effect options
// whose value fio reads with a callback of its own. write_mode and the patterns were run through fio
// (fio-3.42 at f5344384, `--parse-only`, whose callbacks check them): refused means "failed parsing"
// and the job dropped, or, where marked, an assertion that aborts fio. That fio has no libnuma and
// refuses the NUMA options as "Bad option"; their cases follow options.c str_numa_mpol_cb,
// str_numa_cpunodes_cb and libnuma's numa_parse_nodestring (libnuma.c) on a machine of one node.
const lines = (text: string): string[] => problemLines(() => readFio({ files: [{ name: 'a.fio', text }] }))
const job = (line: string) => `[t]\nioengine=io_uring\nrw=write\nsize=1m\n${line}\n`
const expectRefused = (line: string, expected: string, why: string) =>
  expect(lines(job(line))).toEqual([refusedLine(line, expected, why, 5)])

describe('write_mode: engines/io_uring.c str_write_mode_cb', () => {
  const expected =
    'one of write, uncor, zeroes, verify, zone_append, or a mix like write/60:zeroes/40 (2 to 5 entries, the shares adding up to 100; blank shares split the rest)'
  it.each([
    ['write_mode=foo', 'fio: "invalid write_mode value: foo"'],
    // No ':': the whole value is the mode, so a ',' or a '/' is part of it.
    ['write_mode=write/', 'fio: "invalid write_mode value: write/"'],
    ['write_mode=write/60,zeroes/40', 'fio: "invalid write_mode value: write/60,zeroes/40"'],
    ['write_mode=write/60:foo/40', 'fio: "invalid write_mode value: foo"'],
    ['write_mode=write:zeroes', `fio: "write_mode: missing '/' in entry: write"`],
    ['write_mode=write/100:', `fio: "write_mode: missing '/' in entry: "`],
    [
      'write_mode=write/0:zeroes/0:uncor/0:verify/0:zone_append/100:write/0',
      'fio: "write_mode: too many entries (max 5)"',
    ],
    ['write_mode=write/-1:zeroes/101', 'fio: "write_mode: percentage must not be negative: -1"'],
    ['write_mode=write/101:zeroes/', 'fio: "write_mode percentages exceed 100%"'],
    ['write_mode=write/60:zeroes/30', 'fio: "write_mode percentages should add up to 100%"'],
  ])('%s is refused', (line, why) => {
    expectRefused(line, expected, why)
  })

  it.each([
    'write_mode=zeroes',
    'write_mode=zone_append',
    'write_mode=write/60:zeroes/40',
    'write_mode=write/50:zeroes/:uncor/', // blank shares split what is left
    'write_mode=write/:zeroes/', // all blank
    'write_mode=write/abc:zeroes/100', // atoi reads 0
    'write_mode=write/20:zeroes/20:uncor/20:verify/20:zone_append/20',
    // The sum is an unsigned int: 2 × 2147483647 + 102 wraps to 100.
    'write_mode=write/2147483647:zeroes/2147483647:uncor/102',
  ])('%s is taken', (line) => {
    expect(lines(job(line))).toEqual([])
  })
})

describe('numa_mem_policy: options.c str_numa_mpol_cb, a machine of one NUMA node', () => {
  const expected =
    'a NUMA memory policy: default, local, prefer:N, bind:nodes or interleave[:nodes] (the simulated machine has node 0)'
  const failed = (why: string) => `fio: "numa_parse_nodestring failed": ${why}`
  it.each([
    ['numa_mem_policy=preferred', 'fio: "memory policy should be: default, prefer, bind, interleave, local"'],
    ['numa_mem_policy=prefer', `fio: "one node is needed for 'prefer'"`],
    ['numa_mem_policy=prefer:1,2', `fio: "one node only for 'prefer'"`],
    ['numa_mem_policy=prefer:-1', `fio: "one node only for 'prefer'"`],
    ['numa_mem_policy=local:0', `fio: "NO nodelist for 'local'"`],
    ['numa_mem_policy=default:', `fio: "NO nodelist for 'local'"`],
    ['numa_mem_policy=bind', `fio: "a nodelist is needed for 'bind'"`],
    ['numa_mem_policy=bind:1', failed("node argument out of range in `1'")],
    ['numa_mem_policy=interleave:0-1', failed("node argument out of range in `1'")],
    ['numa_mem_policy=bind:x', failed("unparseable node description `x'")],
  ])('%s is refused', (line, why) => {
    expectRefused(line, expected, why)
  })

  it.each([
    'numa_mem_policy=default',
    'numa_mem_policy=local',
    'numa_mem_policy=prefer:0',
    'numa_mem_policy=prefer:3', // only digits: fio does not hold prefer's node to the machine
    'numa_mem_policy=prefer:', // no digit: atoi reads node 0
    'numa_mem_policy=bind:0',
    'numa_mem_policy=interleave', // all nodes
    'numa_mem_policy=interleave:all',
    'numa_mem_policy=bind:', // an empty list is no node
  ])('%s is taken', (line) => {
    expect(lines(job(line))).toEqual([])
  })
})

describe('numa_cpu_nodes: libnuma numa_parse_nodestring, a machine of one NUMA node', () => {
  const expected = 'NUMA nodes of the simulated machine, which has one: 0, 0-0, +0, all, !0 or nothing'
  const failed = (why: string) => `fio: "numa_parse_nodestring failed": ${why}`
  it.each([
    ['numa_cpu_nodes=1', "node argument out of range in `1'"],
    ['numa_cpu_nodes=0-1', "node argument out of range in `1'"],
    ['numa_cpu_nodes=+1', "node argument out of range in `1'"], // the 2nd allowed node
    ['numa_cpu_nodes=-1', "node argument out of range in `-1'"], // strtoul wraps it
    ['numa_cpu_nodes=0-', 'missing node argument '],
    ['numa_cpu_nodes=0,', "unparseable node description `'"],
    ['numa_cpu_nodes=08', "`8' after a node"], // strtoul's base 0: octal
    ['numa_cpu_nodes=0 1', "` 1' after a node"],
    ['numa_cpu_nodes=+!0', "unparseable node description `!0'"], // '!' goes before '+'
    ['numa_cpu_nodes=all,0', "unparseable node description `all,0'"], // `all` is the rest of the list
    ['numa_cpu_nodes=netdev:eth0', 'no device netdev:eth0 on the simulated machine'],
  ])('%s is refused', (line, why) => {
    expectRefused(line, expected, failed(why))
  })

  it.each([
    'numa_cpu_nodes=0',
    'numa_cpu_nodes=0-0',
    'numa_cpu_nodes=0,0',
    'numa_cpu_nodes=0x0,00-0',
    'numa_cpu_nodes=+0',
    'numa_cpu_nodes=!0', // no node: the callback takes it
    'numa_cpu_nodes=!+0',
    'numa_cpu_nodes=all',
    'numa_cpu_nodes=0,all',
    'numa_cpu_nodes=-0',
  ])('%s is taken', (line) => {
    expect(lines(job(line))).toEqual([])
  })
})

describe('buffer_pattern, verify_pattern: lib/pattern.c parse_and_fill_pattern', () => {
  const buffer = 'a pattern of pieces like 0xdeadbeef, "text", 1234 written one after the other'
  const verify = 'a pattern of pieces like 0xdeadbeef, "text", 1234 or %o written one after the other'
  const aborts = (piece: string) => `${piece}: a piece of no bytes, on which fio aborts (assertion "filled")`
  it.each([
    ['buffer_pattern=abc', buffer, 'abc: not a number, a "string" or a 0x hex value'],
    ['buffer_pattern="abc', buffer, 'no closing " in "abc'],
    ['buffer_pattern=""', buffer, aborts('""')], // fio: Assertion `filled' failed
    ['buffer_pattern=""0x01', buffer, aborts('""')],
    ['buffer_pattern=0x0x12', buffer, aborts('0x')], // the '0' goes to the next 0x: no digit left
    ['buffer_pattern=0x', buffer, 'x: not a number, a "string" or a 0x hex value'],
    ['buffer_pattern=0xg', buffer, 'xg: not a number, a "string" or a 0x hex value'],
    ['buffer_pattern=2147483648', buffer, '2147483648: a number past INT_MIN..INT_MAX'],
    ['buffer_pattern=-2147483649', buffer, '-2147483649: a number past INT_MIN..INT_MAX'],
    // strntol: the text before a later 0x is read on its own; a blank alone, or 24 characters, is no number.
    ['buffer_pattern=12 0x01', buffer, ' 0x01: fio reads no number before the 0x'],
    [
      'buffer_pattern=1"aaaaaaaaaaaaaaaaaaaaaaaaaaaa"0x01',
      buffer,
      '1"aaaaaaaaaaaaaaaaaaaaaaaaaaaa"0x01: fio reads no number before the 0x',
    ],
    ['buffer_pattern=1 "a"', buffer, ' "a": not a number, a "string" or a 0x hex value'],
    // No repeat count, no separator.
    ['buffer_pattern=0xff*4', buffer, '*4: not a number, a "string" or a 0x hex value'],
    ['buffer_pattern=1,2', buffer, ',2: not a number, a "string" or a 0x hex value'],
    ["buffer_pattern=''", buffer, "'': no file name, which fio cannot open"],
    // options.c str_buffer_pattern_cb passes no format; verify_pattern has %o only, 8 at most.
    ['buffer_pattern=%o', buffer, '%o: buffer_pattern takes no format'],
    ['verify_pattern=%x', verify, '%x: the only format is %o'],
    ['verify_pattern=%o%o%o%o%o%o%o%o%o', verify, 'more than 8 %o'],
  ])('%s is refused', (line, expected, why) => {
    expectRefused(line, expected, why)
  })

  it.each([
    'buffer_pattern=0xff',
    'buffer_pattern=0XdeadBEEF0x12', // two hex pieces
    'buffer_pattern=0xx12', // sscanf's %[xX] takes a run of x's
    'buffer_pattern=0xfff', // an odd number of digits
    'buffer_pattern="abc"0xff-5', // "string", hex, decimal
    'buffer_pattern=-1',
    'buffer_pattern=0',
    'buffer_pattern=2147483647',
    'buffer_pattern=-2147483648',
    'buffer_pattern=12 34', // strtol skips the blank
    'buffer_pattern=1 "a"0x01', // strntol: past the blank, no number, read as 0
    "buffer_pattern='/etc/hostname'", // a file (not opened here)
    'verify_pattern=%o',
    'verify_pattern=%o%o%o%o%o%o%o%o',
    'verify_pattern=0xdeadbeef%o"x"-5',
  ])('%s is taken', (line) => {
    expect(lines(job(line))).toEqual([])
  })
})

import { cAtoi, cStrto } from './c-numbers.js'
import { FioValueError } from './problems.js'

/**
 * io_uring's write_mode and the NUMA options, each read as its callback in fio reads it (a
 * FIO_OPT_STR without values: parse.c hands the whole value to the callback). Each function throws a
 * FioValueError where fio refuses the value.
 */

const WRITE_MODES = ['write', 'uncor', 'zeroes', 'verify', 'zone_append']

export const WRITE_MODE = `one of ${WRITE_MODES.join(', ')}, or a mix like write/60:zeroes/40 (2 to 5 entries, the shares adding up to 100; blank shares split the rest)`

/**
 * write_mode (engines/io_uring.c str_write_mode_cb): without a ':', one mode; with one, 2 to 5
 * `mode/percent` entries split at every ':'. A percent is atoi's (any text, 0 where there is no
 * number) and must not be negative; the percents are summed as an unsigned int and must not pass
 * 100, and come to 100 exactly unless one is blank (blank ones share what is left).
 */
export function checkWriteMode(value: string): void {
  const refuse = (why: string) => {
    throw new FioValueError(WRITE_MODE, `fio: "${why}"`)
  }
  if (!value.includes(':')) {
    if (!WRITE_MODES.includes(value)) refuse(`invalid write_mode value: ${value}`)
    return
  }
  let total = 0
  let blank = false
  const entries = value.split(':')
  entries.forEach((entry, i) => {
    if (i >= WRITE_MODES.length) refuse(`write_mode: too many entries (max ${WRITE_MODES.length})`)
    const slash = entry.indexOf('/')
    if (slash < 0) refuse(`write_mode: missing '/' in entry: ${entry}`)
    const mode = entry.slice(0, slash)
    if (!WRITE_MODES.includes(mode)) refuse(`invalid write_mode value: ${mode}`)
    const percent = entry.slice(slash + 1)
    if (percent === '') {
      blank = true
      return
    }
    const n = cAtoi(percent)
    if (n < 0) refuse(`write_mode: percentage must not be negative: ${percent}`)
    total = (total + n) % 2 ** 32
  })
  if (entries.length < 2) refuse('write_mode needs at least 2 entries')
  if (total > 100) refuse('write_mode percentages exceed 100%')
  if (!blank && total !== 100) refuse('write_mode percentages should add up to 100%')
}

/**
 * The NUMA nodes of the simulated machine: one, node 0, as Linux reports a machine without NUMA (all
 * its CPUs and memory on node 0). libnuma holds a node list to the nodes that have memory.
 */
const NODES = 1

export const NODE_LIST = `NUMA nodes of the simulated machine, which has one: 0, 0-0, +0, all, !0 or nothing`

export const MEM_POLICY =
  'a NUMA memory policy: default, local, prefer:N, bind:nodes or interleave[:nodes] (the simulated machine has node 0)'

/**
 * numa_mem_policy (options.c str_numa_mpol_cb): the mode before the first ':' is default, prefer,
 * bind, interleave or local; prefer needs a ':' and then only digits (one node, which fio does not
 * hold to the machine: libnuma only warns); local and default take no ':'; bind needs a node list,
 * interleave takes one (all nodes without); a list is read by numa_parse_nodestring.
 */
export function checkMemPolicy(value: string): void {
  const colon = value.indexOf(':')
  const mode = colon < 0 ? value : value.slice(0, colon)
  const nodes = colon < 0 ? undefined : value.slice(colon + 1)
  const refuse = (why: string) => {
    throw new FioValueError(MEM_POLICY, why)
  }
  switch (mode) {
    case 'prefer':
      if (nodes === undefined) refuse(`fio: "one node is needed for 'prefer'"`)
      if (!/^\d*$/.test(nodes!)) refuse(`fio: "one node only for 'prefer'"`)
      return
    case 'local':
    case 'default':
      if (nodes !== undefined) refuse(`fio: "NO nodelist for 'local'"`)
      return
    case 'bind':
      if (nodes === undefined) refuse(`fio: "a nodelist is needed for 'bind'"`)
      break
    case 'interleave':
      break
    default:
      refuse('fio: "memory policy should be: default, prefer, bind, interleave, local"')
  }
  if (nodes !== undefined && nodeListProblem(nodes) !== undefined)
    refuse(`fio: "numa_parse_nodestring failed": ${nodeListProblem(nodes)}`)
}

/** numa_cpu_nodes (options.c str_numa_cpunodes_cb): a node list numa_parse_nodestring reads. */
export function checkCpuNodes(value: string): void {
  const problem = nodeListProblem(value)
  if (problem !== undefined)
    throw new FioValueError(NODE_LIST, `fio: "numa_parse_nodestring failed": ${problem}`)
}

/**
 * What libnuma's numa_parse_nodestring (libnuma.c __numa_parse_nodestring) refuses in `text`, on the
 * simulated machine's nodes; undefined where it reads a node mask. An empty text is no node; a '!'
 * inverts and a '+' makes numbers relative to the allowed nodes; then ','-separated items: `all` (the
 * rest of the text), a device name after netdev:, ip:, file:, block: or pci: (the simulated machine has
 * none), or a node or `lo-hi`, each read by strtoul (base 0) and held to the allowed nodes.
 */
function nodeListProblem(text: string): string | undefined {
  if (text === '') return undefined
  let s = text.replace(/^!/, '')
  if (s.startsWith('+')) s = s.slice(1)
  // get_nr: strtoul (base 0) of the text; a relative number counts the allowed nodes, which here are
  // 0 up to NODES - 1, so both forms come to the same node. Past them (or negative, which strtoul
  // wraps) is out of range.
  const node = (from: string): [number | undefined, string] => {
    const m = /^[ \t\n\v\f\r]*[+-]?(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)/i.exec(from)
    if (m === null) return [undefined, from]
    const n = BigInt.asUintN(64, cStrto(m[0], 0))
    return [n < BigInt(NODES) ? Number(n) : NODES, from.slice(m[0].length)]
  }
  for (;;) {
    if (/^[a-z]/i.test(s)) {
      if (s === 'all') return undefined
      if (/^(netdev|ip|file|block|pci):/.test(s)) return `no device ${s} on the simulated machine`
    }
    const [lo, rest] = node(s)
    if (lo === undefined) return `unparseable node description \`${s}'`
    if (lo >= NODES) return `node argument out of range in \`${s}'`
    s = rest
    if (s.startsWith('-')) {
      const [hi, after] = node(s.slice(1))
      if (hi === undefined) return `missing node argument ${s.slice(1)}`
      if (hi >= NODES) return `node argument out of range in \`${s.slice(1)}'`
      s = after
    }
    if (!s.startsWith(',')) return s === '' ? undefined : `\`${s}' after a node`
    s = s.slice(1)
  }
}

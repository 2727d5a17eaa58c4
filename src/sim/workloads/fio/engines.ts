/**
 * fio's I/O engines as the bounce pool sees them (HOWTO "I/O engine"; flags from fio's engines/*.c):
 *
 * - `async`: block I/O through the kernel, `iodepth` I/Os in flight.
 * - `sync`: block I/O through the kernel, one I/O at a time (fio's FIO_SYNCIO engines: "iodepth
 *   beyond 1 will not affect synchronous ioengines").
 * - `bypass`: storage I/O from a userspace driver (VFIO, vDPA, SPDK): no kernel DMA mapping, so no
 *   bounce buffer; the job keeps its place in the run and issues nothing.
 * - `no-io`: no data transfer at all (CPU burners, file operations, memory engines, null).
 * - `refused`: transfers data in ways the simulated machine does not have (network, GPU, or
 *   kernel-internal copies); the reason says which.
 */
export type EngineKind = 'async' | 'sync' | 'bypass' | 'no-io' | 'refused'

export interface EngineClass {
  kind: EngineKind
  /** Passthrough engines always transfer directly, whatever direct= says. */
  passthrough?: boolean
  reason?: string
  /** Reads or writes storage (a block device or a file on one), whether or not it is simulated. */
  storage?: boolean
}

const ASYNC = ['libaio', 'io_uring', 'posixaio', 'solarisaio', 'windowsaio']
const SYNC = ['sync', 'psync', 'vsync', 'pvsync', 'pvsync2', 'mmap', 'splice']
const NO_IO = [
  'null',
  'cpp_null',
  'cpuio',
  'exec',
  'falloc',
  'ftruncate',
  'filecreate',
  'filestat',
  'filedelete',
  'dircreate',
  'dirstat',
  'dirdelete',
  'dev-dax',
  'libpmem',
  'page_fault',
]
const NETWORK = [
  'net',
  'netsplice',
  'rdma',
  'http',
  'rbd',
  'rados',
  'nfs',
  'gfapi',
  'gfapi_async',
  'libhdfs',
  'dfs',
  'libiscsi',
  'nbd',
  'ime_psync',
  'ime_psyncv',
  'ime_aio',
]
const GPU = ['libcufile', 'libhipfile']
const OTHER = ['io_uring_cmd', 'sg', 'libzbc', 'xnvme', 'libblkio', 'mtd', 'e4defrag']
const KNOWN = new Set([...ASYNC, ...SYNC, ...NO_IO, ...NETWORK, ...GPU, ...OTHER])

/** fio's engine when a job names none (os/os.h, FIO_PREFERRED_ENGINE on Linux). */
export const DEFAULT_ENGINE = 'psync'

/** Whether fio has an engine of this name built in (`external:` engines and unknown names are not). */
export function isFioEngine(name: string): boolean {
  return KNOWN.has(name)
}

/** The engine's class; `options` are the job's engine options (libblkio_driver, xnvme_be). */
export function classifyEngine(name: string, options: { driver?: string; backend?: string }): EngineClass {
  const c = engineClass(name, options)
  return c.kind === 'async' || c.kind === 'sync' || c.kind === 'bypass' ? { ...c, storage: true } : c
}

function engineClass(name: string, options: { driver?: string; backend?: string }): EngineClass {
  if (ASYNC.includes(name)) return { kind: 'async' }
  if (SYNC.includes(name)) return { kind: 'sync' }
  if (NO_IO.includes(name)) return { kind: 'no-io', reason: `ioengine=${name} transfers no data to a device` }
  switch (name) {
    case 'io_uring_cmd':
      return { kind: 'async', passthrough: true }
    case 'sg':
    case 'libzbc':
      return { kind: 'sync', passthrough: true }
    case 'xnvme':
      if (options.backend === 'spdk')
        return { kind: 'bypass', passthrough: true, reason: 'xnvme_be=spdk drives the device from userspace' }
      return { kind: 'async', passthrough: true }
    case 'libblkio':
      if (options.driver === 'io_uring' || options.driver === 'nvme-io_uring')
        return { kind: 'async', passthrough: options.driver === 'nvme-io_uring' }
      return {
        kind: 'bypass',
        passthrough: true,
        reason: `libblkio_driver=${options.driver ?? '(none)'} drives the device from userspace (VFIO or vDPA)`,
      }
    case 'mtd':
      return {
        kind: 'refused',
        reason: 'ioengine=mtd drives raw flash through the MTD layer, not the block layer',
      }
    case 'e4defrag':
      return {
        kind: 'refused',
        storage: true,
        reason: 'ioengine=e4defrag: the kernel moves file extents through the page cache; not modelled',
      }
  }
  if (NETWORK.includes(name)) {
    return {
      kind: 'refused',
      reason: `ioengine=${name} moves data over the network: describe that traffic as a NIC in a JSON spec`,
    }
  }
  if (GPU.includes(name)) {
    return { kind: 'refused', reason: `ioengine=${name} moves data to GPU memory: not modelled` }
  }
  if (name.startsWith('external:'))
    return { kind: 'refused', reason: 'an external engine: unknown behaviour' }
  return { kind: 'refused', reason: `ioengine=${name} is not an engine fio knows` }
}

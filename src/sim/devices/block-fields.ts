import { bool, bytes, int, num, type Raw } from '../workloads/values.js'

/** The spec keys every block device kind takes. */
export const BLOCK_KEYS = [
  'name',
  'type',
  'queueDepth',
  'latencyUs',
  'bandwidth',
  'mayBlock',
  'jitter',
] as const

/** The fields NVMe and SCSI share. */
export interface BlockFields {
  /** Commands in flight (per queue for NVMe). */
  queueDepth: number
  latencyUs: number
  /** Bytes per second of the link. */
  bandwidth: number
  /** Entry 0 of each scatter-gather list is mapped with DMA_ATTR_MAY_BLOCK. */
  mayBlock: boolean
  /** Latency varies uniformly by ± this fraction. */
  jitter: number
}

/** The shared fields of a block device's spec entry, with the defaults of its kind. */
export function parseBlockFields(
  field: string,
  raw: Raw,
  defaults: { queueDepth: number; latencyUs: number; bandwidth: string },
): BlockFields {
  return {
    queueDepth: int(`${field}.queueDepth`, raw['queueDepth'] ?? defaults.queueDepth, 1, 65536),
    latencyUs: num(`${field}.latencyUs`, raw['latencyUs'] ?? defaults.latencyUs, 0),
    bandwidth: bytes(`${field}.bandwidth`, raw['bandwidth'] ?? defaults.bandwidth),
    mayBlock: bool(`${field}.mayBlock`, raw['mayBlock'] ?? true),
    jitter: num(`${field}.jitter`, raw['jitter'] ?? 0.1, 0, 1),
  }
}

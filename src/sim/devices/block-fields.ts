import { bool, bytes, int, num, type Raw } from '../workloads/values.js'
import type { MediaFields } from './media.js'

/** The spec keys every block device kind takes. */
export const BLOCK_KEYS = [
  'name',
  'type',
  'queueDepth',
  'latencyUs',
  'channels',
  'stripeBytes',
  'bandwidth',
  'mayBlock',
  'jitter',
] as const

/** The fields NVMe and SCSI share: their queue and their media. */
export interface BlockFields extends MediaFields {
  /** Commands in flight (per queue for NVMe). */
  queueDepth: number
  /** Entry 0 of each scatter-gather list is mapped with DMA_ATTR_MAY_BLOCK. */
  mayBlock: boolean
}

/** Defaults of a kind's block fields (each cited or stated as an assumption in docs/simulation.md). */
export interface BlockDefaults {
  queueDepth: number
  latencyUs: number
  channels: number
  stripeBytes: string
  bandwidth: string
}

/** The shared fields of a block device's spec entry, with the defaults of its kind. */
export function parseBlockFields(field: string, raw: Raw, defaults: BlockDefaults): BlockFields {
  return {
    queueDepth: int(`${field}.queueDepth`, raw['queueDepth'] ?? defaults.queueDepth, 1, 65536),
    latencyUs: num(`${field}.latencyUs`, raw['latencyUs'] ?? defaults.latencyUs, 0),
    channels: int(`${field}.channels`, raw['channels'] ?? defaults.channels, 1, 4096),
    stripeBytes: bytes(`${field}.stripeBytes`, raw['stripeBytes'] ?? defaults.stripeBytes, 512),
    bandwidth: bytes(`${field}.bandwidth`, raw['bandwidth'] ?? defaults.bandwidth),
    mayBlock: bool(`${field}.mayBlock`, raw['mayBlock'] ?? true),
    jitter: num(`${field}.jitter`, raw['jitter'] ?? 0.1, 0, 1),
  }
}

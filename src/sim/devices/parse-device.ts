import { SpecError } from '../errors.js'
import type { DeviceSpec } from '../spec.js'
import { bool, bytes, checkKeys, int, num, type Raw, str } from '../workloads/values.js'

const BLOCK_KEYS = ['name', 'type', 'queueDepth', 'latencyUs', 'bandwidth', 'mayBlock', 'jitter'] as const

/** The fields NVMe and SCSI share, with the defaults of their type. */
function block(
  field: string,
  raw: Raw,
  defaults: { queueDepth: number; latencyUs: number; bandwidth: string },
): { queueDepth: number; latencyUs: number; bandwidth: number; mayBlock: boolean; jitter: number } {
  return {
    queueDepth: int(`${field}.queueDepth`, raw['queueDepth'] ?? defaults.queueDepth, 1, 65536),
    latencyUs: num(`${field}.latencyUs`, raw['latencyUs'] ?? defaults.latencyUs, 0),
    bandwidth: bytes(`${field}.bandwidth`, raw['bandwidth'] ?? defaults.bandwidth),
    mayBlock: bool(`${field}.mayBlock`, raw['mayBlock'] ?? true),
    jitter: num(`${field}.jitter`, raw['jitter'] ?? 0.1, 0, 1),
  }
}

/** A device of a spec, with the defaults of its type. Bandwidths are bytes per second ('2G'). */
export function parseDevice(field: string, raw: Raw): DeviceSpec {
  const type = raw['type']
  const name = str(`${field}.name`, raw['name'])
  switch (type) {
    case 'nvme':
      checkKeys(field, raw, [...BLOCK_KEYS, 'polling'])
      return {
        type,
        name,
        ...block(field, raw, { queueDepth: 1024, latencyUs: 80, bandwidth: '2G' }),
        polling: bool(`${field}.polling`, raw['polling'] ?? false),
      }
    case 'scsi':
      checkKeys(field, raw, [...BLOCK_KEYS, 'requeueMs'])
      return {
        type,
        name,
        ...block(field, raw, { queueDepth: 256, latencyUs: 500, bandwidth: '1G' }),
        requeueMs: num(`${field}.requeueMs`, raw['requeueMs'] ?? 3, 0.001),
      }
    case 'nic':
      checkKeys(field, raw, ['name', 'type', 'pps', 'packetBytes', 'holdUs', 'batch'])
      return {
        type,
        name,
        pps: num(`${field}.pps`, raw['pps'] ?? 100_000, 1),
        packetBytes: int(`${field}.packetBytes`, raw['packetBytes'] ?? 1500, 1, 256 * 1024),
        holdUs: num(`${field}.holdUs`, raw['holdUs'] ?? 100, 0),
        batch: int(`${field}.batch`, raw['batch'] ?? 64, 1, 4096),
      }
    default:
      throw new SpecError(`${field}.type`, "'nvme', 'scsi' or 'nic'", type)
  }
}

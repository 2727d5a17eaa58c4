import { SpecError } from '../errors.js'
import type { DeviceSpec } from '../spec.js'
import { bool, bytes, checkKeys, int, num, type Raw, str } from '../workloads/values.js'

/** A device of a spec, with the defaults of its type. Bandwidths are bytes per second ('2G'). */
export function parseDevice(field: string, raw: Raw): DeviceSpec {
  const type = raw['type']
  const name = str(`${field}.name`, raw['name'])
  switch (type) {
    case 'nvme':
      checkKeys(field, raw, [
        'name',
        'type',
        'queueDepth',
        'latencyUs',
        'bandwidth',
        'polling',
        'mayBlock',
        'jitter',
      ])
      return {
        type,
        name,
        queueDepth: int(`${field}.queueDepth`, raw['queueDepth'] ?? 1024, 1, 65536),
        latencyUs: num(`${field}.latencyUs`, raw['latencyUs'] ?? 80, 0),
        bandwidth: bytes(`${field}.bandwidth`, raw['bandwidth'] ?? '2G'),
        polling: bool(`${field}.polling`, raw['polling'] ?? false),
        mayBlock: bool(`${field}.mayBlock`, raw['mayBlock'] ?? true),
        jitter: num(`${field}.jitter`, raw['jitter'] ?? 0.1, 0, 1),
      }
    case 'scsi':
      checkKeys(field, raw, [
        'name',
        'type',
        'queueDepth',
        'latencyUs',
        'bandwidth',
        'requeueMs',
        'mayBlock',
        'jitter',
      ])
      return {
        type,
        name,
        queueDepth: int(`${field}.queueDepth`, raw['queueDepth'] ?? 256, 1, 65536),
        latencyUs: num(`${field}.latencyUs`, raw['latencyUs'] ?? 500, 0),
        bandwidth: bytes(`${field}.bandwidth`, raw['bandwidth'] ?? '1G'),
        requeueMs: num(`${field}.requeueMs`, raw['requeueMs'] ?? 3, 0.001),
        mayBlock: bool(`${field}.mayBlock`, raw['mayBlock'] ?? true),
        jitter: num(`${field}.jitter`, raw['jitter'] ?? 0.1, 0, 1),
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

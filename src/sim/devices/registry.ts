import { SpecError } from '../errors.js'
import type { Raw } from '../workloads/values.js'
import type { BlockFields } from './block-fields.js'
import type { DeviceKind } from './kind.js'
import { nicKind } from './nic.js'
import { nvmeKind } from './nvme.js'
import { scsiKind } from './scsi.js'

/**
 * Every device kind a spec may name. Adding a kind: write its file (spec type, `parse`, the device,
 * its `DeviceKind`) and list it here; specs, runs and jobs find it through this list.
 */
export const DEVICE_KINDS = [nvmeKind, scsiKind, nicKind] as const

type KindSpec<K> = K extends DeviceKind<infer S> ? S : never

/** A device of a spec: one of the kinds' specs, told apart by `type`. */
export type DeviceSpec = KindSpec<(typeof DEVICE_KINDS)[number]>

/** The names of the kinds, as a spec file writes them: `'nvme', 'scsi' or 'nic'`. */
export const DEVICE_TYPES: readonly DeviceSpec['type'][] = DEVICE_KINDS.map((k) => k.type)

/** The kind of a parsed device spec. */
export function deviceKind(type: DeviceSpec['type']): DeviceKind<DeviceSpec> {
  return DEVICE_KINDS.find((k) => k.type === type)!
}

/** A device of a spec file, with the defaults of its kind. Bandwidths are bytes per second ('2G'). */
export function parseDevice(field: string, raw: Raw): DeviceSpec {
  const type = raw['type']
  const kind: DeviceKind<DeviceSpec> | undefined = DEVICE_KINDS.find((k) => k.type === type)
  if (kind === undefined) throw new SpecError(`${field}.type`, oneOf(DEVICE_TYPES), type)
  return kind.parse(field, raw)
}

function oneOf(names: readonly string[]): string {
  const quoted = names.map((n) => `'${n}'`)
  return quoted.length === 1 ? quoted[0]! : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`
}

/** A device spec of a kind that takes block I/O (jobs may name it). */
export type BlockDeviceSpec = Extract<DeviceSpec, BlockFields>

/** Whether `d` is of a kind that takes block I/O: the kind says so, not its name. */
export function isBlockDevice(d: DeviceSpec): d is BlockDeviceSpec {
  return deviceKind(d.type).blockIo
}

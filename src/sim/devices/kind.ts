import type { SimContext } from '../context.js'
import type { Raw } from '../workloads/values.js'
import type { BlockDevice } from './device.js'

/** What every device spec has: its kind's `type` and a name unique in the spec. */
export interface DeviceSpecBase {
  type: string
  name: string
}

/**
 * A kind of device that jobs submit block I/O to (NVMe, SCSI): `create` builds the device of one run,
 * which waits for submissions.
 */
export interface BlockDeviceKind<S extends DeviceSpecBase> {
  readonly type: S['type']
  readonly blockIo: true
  /** The device's spec from a spec file's entry, defaults filled in; bad values throw SpecError. */
  parse(field: string, raw: Raw): S
  create(spec: S, ctx: SimContext): BlockDevice
}

/**
 * A kind of device that makes its own traffic (a NIC): `create` builds the device of one run, and the
 * run starts it beside the jobs and hogs. Jobs cannot name it.
 */
export interface TrafficDeviceKind<S extends DeviceSpecBase> {
  readonly type: S['type']
  readonly blockIo: false
  parse(field: string, raw: Raw): S
  create(spec: S, ctx: SimContext): { start(): void }
}

/** One device kind: how a spec names it, how a run builds it, and whether it takes block I/O. */
export type DeviceKind<S extends DeviceSpecBase> = BlockDeviceKind<S> | TrafficDeviceKind<S>

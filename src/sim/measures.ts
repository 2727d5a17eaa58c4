import { Histogram } from '../index.js'

/** What one device saw in a run. */
export class DeviceMeasures {
  ios = 0
  ioErrors = 0
  bytes = 0
  /** I/Os and bytes completed within the runtime: what IOPS and MiB/s divide by the runtime. */
  windowIos = 0
  windowBytes = 0
  requeues = 0
  /** Entry-0 maps that had to wait in the throttle's queue. */
  waits = 0
  /** Completion latency (issue → completion), ms at µs precision. */
  readonly clat = new Histogram(1000)
  /** Time entry 0 spent in `map`, ms at µs precision. */
  readonly mapWait = new Histogram(1000)
  constructor(
    readonly name: string,
    readonly kind: string,
  ) {}
}

/** Counters and histograms of one policy's run. */
export class Measures {
  readonly devices = new Map<string, DeviceMeasures>()
  readonly clat = new Histogram(1000)
  readonly mapWait = new Histogram(1000)
  /** Block I/Os issued and not yet completed or failed. */
  inFlight = 0
  /** End of the measurement window (the runtime), ms; completions after it count, but not for rates. */
  windowEndMs = Number.POSITIVE_INFINITY
  imports = 0
  importFailures = 0

  device(name: string, kind: string): DeviceMeasures {
    let d = this.devices.get(name)
    if (d === undefined) {
      d = new DeviceMeasures(name, kind)
      this.devices.set(name, d)
    }
    return d
  }

  /** Entry 0 of a block I/O got its mapping after `waitedMs` in map. */
  mapped(d: DeviceMeasures, waitedMs: number, queued: boolean): void {
    d.mapWait.record(waitedMs)
    this.mapWait.record(waitedMs)
    if (queued) d.waits++
  }

  /** A block I/O completed at `atMs`, `clatMs` after it was issued. */
  completed(d: DeviceMeasures, bytes: number, atMs: number, clatMs: number): void {
    this.completedUntimed(d, bytes, atMs)
    d.clat.record(clatMs)
    this.clat.record(clatMs)
  }

  /** A packet, or anything else without a submitter waiting on it. */
  completedUntimed(d: DeviceMeasures, bytes: number, atMs: number): void {
    d.ios++
    d.bytes += bytes
    if (atMs <= this.windowEndMs) {
      d.windowIos++
      d.windowBytes += bytes
    }
  }

  failed(d: DeviceMeasures): void {
    d.ioErrors++
  }

  total(key: 'ios' | 'ioErrors' | 'bytes' | 'windowIos' | 'windowBytes' | 'requeues' | 'waits'): number {
    let sum = 0
    for (const d of this.devices.values()) sum += d[key]
    return sum
  }
}

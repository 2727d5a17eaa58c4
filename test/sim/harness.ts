import { Swiotlb, type SwiotlbOptions } from '../../src/index.js'
import { Engine, Io, type IoOwner, Measures, SimContext, type VcpuSpec } from '../../src/sim/index.js'

/** A bare simulation context around a pool, for device and workload tests. */
export function makeContext(
  options: {
    size?: string
    areas?: number
    throttle?: SwiotlbOptions['throttle']
    cpus?: number
    endMs?: number
    seed?: number
    vcpu?: VcpuSpec
  } = {},
) {
  const engine = new Engine()
  const dma = new Swiotlb({
    size: options.size ?? '4M',
    areas: options.areas ?? 1,
    backing: false,
    clock: engine.clock,
    throttle: options.throttle ?? false,
  })
  const measures = new Measures()
  const ctx = new SimContext(
    engine,
    dma,
    measures,
    options.seed ?? 1,
    options.cpus ?? 2,
    options.endMs ?? 1000,
    options.vcpu,
  )
  return { engine, clock: engine.clock, dma, measures, ctx }
}

/** Collects what a device reports for the I/Os it was given. */
export class Collector implements IoOwner {
  readonly done: Array<{ bytes: number; ok: boolean; atMs: number }> = []
  constructor(private readonly now: () => number) {}
  ioDone(io: Io, ok: boolean): void {
    this.done.push({ bytes: io.bytes, ok, atMs: this.now() })
  }
  io(bytes: number, cpu = 0, read = true): Io {
    return new Io(bytes, read, cpu, this.now(), this)
  }
}

/** The NVMe fields a test does not care about. */
export const NVME = {
  type: 'nvme' as const,
  name: 'nvme0',
  queueDepth: 64,
  latencyUs: 100,
  channels: 64,
  stripeBytes: 32 * 1024,
  bandwidth: 1_000_000_000,
  polling: false,
  mayBlock: true,
  jitter: 0,
}

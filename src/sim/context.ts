import type { Swiotlb } from '../index.js'
import type { Engine } from './engine.js'
import type { Measures } from './measures.js'
import { Rng } from './rng.js'
import { FREE_VCPU, type VcpuSpec, Vcpus } from './vcpus.js'

/** What devices and workloads of one run share. */
export class SimContext {
  /** The first unexpected error of a device or workload; the run rethrows it. */
  error: unknown = undefined
  readonly fatal = (error: unknown): void => {
    if (this.error === undefined) this.error = error ?? new Error('undefined thrown')
  }
  /** The guest's vCPUs: where submission, completion and the bounce copies take time. */
  readonly vcpus: Vcpus
  /** Whether the pool throttles blocking maps: without a throttle every map is non-blocking. */
  readonly throttled: boolean
  constructor(
    readonly engine: Engine,
    readonly dma: Swiotlb,
    readonly measures: Measures,
    readonly seed: number,
    readonly cpus: number,
    /** Clock time at which workloads stop issuing, ms. */
    public endMs: number,
    /** What a vCPU pays per I/O; FREE_VCPU (nothing) unless a run passes its spec's. */
    vcpu: VcpuSpec = FREE_VCPU,
  ) {
    this.vcpus = new Vcpus(engine, cpus, vcpu)
    this.throttled = dma.stats().throttle.mode !== 'off'
  }

  /** True while workloads may issue. */
  get running(): boolean {
    return this.engine.clock.now() < this.endMs
  }

  /** Ends the runtime now: workloads stop issuing; what is in flight may finish. */
  stop(): void {
    this.endMs = Math.min(this.endMs, this.engine.clock.now())
  }

  /** The random stream named `name`: the same in every policy's run of the same seed. */
  rng(name: string): Rng {
    let h = 0x811c9dc5
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193)
    return new Rng(this.seed, h >>> 0)
  }
}

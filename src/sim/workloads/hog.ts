import type { Mapping } from '../../index.js'
import type { SimContext } from '../context.js'
import { MapOptionSet, mapAllNow } from '../devices/sg-map.js'
import type { HogSpec } from '../spec.js'

/**
 * A dma-buf import that holds bounce memory: at `atMs` it maps `bytes` as 256 KiB entries, all
 * non-blocking and all or nothing, and holds them for `holdMs`. A failed import releases what it got
 * and, with `retryMs`, tries again later (until the run's runtime is over).
 */
export class Hog {
  readonly #options: MapOptionSet
  #held: Mapping[] | undefined

  constructor(
    readonly spec: HogSpec,
    private readonly ctx: SimContext,
  ) {
    this.#options = new MapOptionSet(spec.name, spec.cpu, false)
  }

  start(): void {
    this.ctx.engine.after(this.spec.atMs, () => this.#import())
  }

  /** True while the buffer is mapped. */
  get holding(): boolean {
    return this.#held !== undefined
  }

  #import(): void {
    const { measures, engine } = this.ctx
    const failed = { copiedBytes: 0 }
    const maps = mapAllNow(this.ctx, this.spec.bytes, this.#options, failed)
    const vcpus = this.ctx.vcpus
    if (maps === undefined) {
      measures.importFailures++
      // The entries mapped before the one that found no room were copied in all the same.
      if (failed.copiedBytes > 0) vcpus.run(this.spec.cpu, vcpus.copy(failed.copiedBytes), () => {})
      if (this.spec.retryMs !== undefined && this.ctx.running) {
        engine.after(this.spec.retryMs, () => this.#import())
      }
      return
    }
    measures.imports++
    // The import copies the buffer into the bounce slots on its vCPU (it holds them meanwhile).
    vcpus.run(this.spec.cpu, vcpus.copy(this.spec.bytes), () => {})
    this.#held = maps
    engine.after(this.spec.holdMs, () => this.release())
  }

  /**
   * Unmaps the buffer; the hog calls it at the end of its hold. A run does not call it at teardown: a hog
   * still holding when the run ends is left holding, and its mappings go with the run's Swiotlb.
   */
  release(): void {
    const held = this.#held
    this.#held = undefined
    if (held !== undefined) for (const m of held) m.unmap()
  }
}

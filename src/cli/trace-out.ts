import type { Swiotlb } from '../index.js'
import { type PolicyName, type SimSpec, TraceWriter } from '../sim/index.js'
import { CliOutputError } from './errors.js'
import { writeProblem } from './file-errors.js'

/**
 * `simulate --trace-out FILE`: the first policy's run, written in the capture format as it happens
 * (docs/trace-format.md). The header names the run and its pool, so `replay FILE` uses the same pool.
 */
export class TraceOut {
  readonly policy: PolicyName
  readonly #writer: TraceWriter

  constructor(
    readonly file: string,
    spec: SimSpec,
    seed: number,
  ) {
    this.policy = spec.policies[0] as PolicyName
    try {
      this.#writer = new TraceWriter(file, [
        `simulate ${spec.name}, policy ${this.policy}, seed ${seed}`,
        `pool ${spec.pool.size} bytes, ${spec.pool.areas} areas`,
      ])
    } catch (error) {
      throw new CliOutputError(`--trace-out ${file}: cannot write (${writeProblem(error, file)})`)
    }
  }

  /** RunOptions.observe: follows the chosen policy's Swiotlb. */
  readonly observe = (policy: PolicyName, dma: Swiotlb): (() => void) | undefined =>
    policy === this.policy ? this.#writer.attach(dma) : undefined

  /** Closes the file; the line to print. */
  close(): string {
    this.#writer.close()
    return `trace of ${this.policy} (${this.#writer.maps} maps, ${this.#writer.unmaps} unmaps) written to ${this.file}`
  }
}

/**
 * fio's token flow control (flow.c, flow_threshold_exceeded; HOWTO `flow`): jobs sharing a flow_id
 * keep their I/O counts in proportion to their weights. Each clone counts its own I/Os and the group
 * counts all of them; a clone whose share of the count exceeds its share of the weight must wait.
 */
export class FlowGroup {
  #count = 0
  #weight = 0

  join(weight: number): void {
    this.#weight += weight
  }

  leave(weight: number): void {
    this.#weight -= weight
  }

  /** True when a clone with `weight` that issued `own` I/Os is ahead of its share; else counts one. */
  exceeded(own: number, weight: number): boolean {
    if (this.#count > 0 && own / this.#count > weight / this.#weight) return true
    this.#count++
    return false
  }
}

/** Flow groups by flow_id, for one run. */
export class FlowGroups {
  readonly #groups = new Map<number, FlowGroup>()

  get(id: number): FlowGroup {
    let g = this.#groups.get(id)
    if (g === undefined) {
      g = new FlowGroup()
      this.#groups.set(id, g)
    }
    return g
  }
}

/**
 * Runs a drain loop without re-entering it: a release that happens inside an admission (an event
 * subscriber that unmaps, say) asks for one more pass instead of nesting a second loop.
 */
export class DrainGuard {
  #running = false
  #again = false

  run(pass: () => void): void {
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = true
    try {
      do {
        this.#again = false
        pass()
      } while (this.#again)
    } finally {
      this.#running = false
    }
  }
}

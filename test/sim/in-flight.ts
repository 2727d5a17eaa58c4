import type { Engine, Measures } from '../../src/sim/index.js'

/**
 * Samples what is in flight every 10 µs of simulated time until `runtimeMs`: Little's law needs its
 * time-average. Returns a function that reads the mean so far.
 */
export function sampleInFlight(engine: Engine, measures: Measures, runtimeMs: number): () => number {
  let sum = 0
  let samples = 0
  const sample = () => {
    if (engine.clock.now() >= runtimeMs) return
    sum += measures.inFlight
    samples++
    engine.after(0.01, sample)
  }
  engine.after(0, sample)
  return () => sum / samples
}

import type fc from 'fast-check'

/** fast-check parameters; FC_SEED, FC_PATH and FC_RUNS replay or lengthen a run. */
export function params(numRuns: number): fc.Parameters<unknown> {
  const env = process.env
  return {
    numRuns: env['FC_RUNS'] ? Number(env['FC_RUNS']) : numRuns,
    ...(env['FC_SEED'] ? { seed: Number(env['FC_SEED']) } : {}),
    ...(env['FC_PATH'] ? { path: env['FC_PATH'] } : {}),
    ...(env['FC_NOSHRINK'] ? { endOnFailure: true } : {}),
  }
}

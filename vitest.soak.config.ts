import { defineConfig } from 'vitest/config'

// The soak suite (test/soak): excluded from the default run, run by `npm run test:soak` and in CI.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    execArgv: ['--expose-gc'],
    // A guard against a hang, not a speed check: a loaded CI machine takes several times longer.
    testTimeout: 600_000,
  },
})

import { defineConfig } from 'vitest/config'

// The soak suite (test/soak): excluded from the default run, run by `npm run test:soak` and in CI.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    execArgv: ['--expose-gc'],
    testTimeout: 120_000,
  },
})

import { describe } from 'vitest'
import { growth, soak } from './soak-case.js'

// Soak of the serialize throttle, and of the budget throttle with real bounce copies; `npm run test:soak`.
describe('soak', () => {
  soak('serialize', { size: '1M', areas: 2, backing: false, throttle: { mode: 'serialize' }, growth })
  // Real copies cost more per operation: half the operations.
  soak('budget, bouncing bytes', { size: '1M', areas: 2, throttle: { high: 0.7 }, growth }, 50_000)
})

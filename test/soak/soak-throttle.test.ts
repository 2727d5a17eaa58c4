import { describe } from 'vitest'
import { growth, soak } from './soak-case.js'

// Soak of the budget and fairShare throttles (see soak-case.ts); `npm run test:soak`.
describe('soak', () => {
  soak('budget', { size: '1M', areas: 2, backing: false, throttle: { high: 0.7 }, growth })
  soak('fairShare', {
    size: '1M',
    areas: 2,
    backing: false,
    throttle: { high: 0.7, fairShare: true },
    growth,
  })
})

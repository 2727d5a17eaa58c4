import { claimsHoldOnEverySeed } from './scenario-seeds.js'

// Every scenario not in FIRST_HALF (scenario-seeds-a.test.ts runs those).
claimsHoldOnEverySeed(false)

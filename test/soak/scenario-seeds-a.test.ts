import { claimsHoldOnEverySeed } from './scenario-seeds.js'

// coco-fio and rpi4-display (FIRST_HALF); scenario-seeds-b.test.ts runs the rest.
claimsHoldOnEverySeed(true)

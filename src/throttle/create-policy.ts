import { BudgetPolicy } from './budget.js'
import { FairSharePolicy } from './fair-share.js'
import type { ThrottleConfig, ThrottleHost, ThrottlePolicy } from './policy.js'
import { SerializePolicy } from './serialize.js'

/** The policy for a throttle mode: the one place that knows the modes by name. */
export function createPolicy(config: ThrottleConfig, host: ThrottleHost): ThrottlePolicy {
  switch (config.mode) {
    case 'budget':
      return new BudgetPolicy(host, config)
    case 'fair-share':
      return new FairSharePolicy(host, config)
    case 'serialize':
      return new SerializePolicy(host, config)
  }
}

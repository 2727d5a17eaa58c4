import { show } from '../errors.js'

/** A simulation spec (JSON, .fio job file or scenario) with a bad value. Names the field and the value. */
export class SpecError extends Error {
  readonly code = 'ERR_SIM_SPEC'
  constructor(
    readonly field: string,
    expected: string,
    value: unknown,
  ) {
    super(`Expected \`${field}\` to be ${expected}, got ${show(value)}`)
    this.name = 'SpecError'
  }
}

/** A scenario name that is not in the catalogue. */
export class UnknownScenarioError extends Error {
  readonly code = 'ERR_SIM_UNKNOWN_SCENARIO'
  constructor(
    readonly scenario: string,
    known: readonly string[],
  ) {
    super(`unknown scenario ${JSON.stringify(scenario)}: expected one of ${known.join(', ')}`)
    this.name = 'UnknownScenarioError'
  }
}

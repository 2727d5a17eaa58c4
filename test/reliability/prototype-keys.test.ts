import { describe, expect, it } from 'vitest'
import { parseSpec, SpecError, TraceFormatError } from '../../src/sim/index.js'
import { parseCaptureLine } from '../../src/sim/workloads/traces/capture-format.js'

// Every table looked up by a name from the input answers only its own keys: the names of
// Object.prototype's members (constructor, valueOf, toString, __proto__) are unknown names like any
// other. Found by test/reliability/spec-fuzz in the fio reader (`rw=valueOf` failed with a TypeError).
const NAMES = ['constructor', 'valueOf', 'toString', 'hasOwnProperty', '__proto__']

describe("names of Object.prototype's members are unknown names", () => {
  it.each(NAMES)('a JSON job with rw %j is a SpecError naming jobs[0].rw', (name) => {
    expect(() => parseSpec({ jobs: [{ rw: name }] })).toThrow(SpecError)
    expect(() => parseSpec({ jobs: [{ rw: name }] })).toThrow('`jobs[0].rw`')
  })

  it.each(NAMES)('a JSON job with continue_on_error %j is a SpecError naming it', (name) => {
    expect(() => parseSpec({ jobs: [{ continue_on_error: name }] })).toThrow(SpecError)
    expect(() => parseSpec({ jobs: [{ continue_on_error: name }] })).toThrow('one of none, read, write')
  })

  it.each(NAMES)('a capture line of kind %j is a TraceFormatError', (name) => {
    expect(() => parseCaptureLine(`100 0 ${name} nvme0 1 2 3`, 3, 'vm.trace')).toThrow(TraceFormatError)
    expect(() => parseCaptureLine(`100 0 ${name} nvme0 1 2 3`, 3, 'vm.trace')).toThrow(
      'a capture line: <time ns> <cpu> map|unmap|fail <device>',
    )
  })
})

/**
 * fio's JSON numbers: fio prints a float value with C's "%f" (json.c:357, json_print_value), so a
 * double always has a decimal point and six decimals ("0.000000", "100.000000") and an integer never
 * has one. Typed readers (Go, Rust, pandas with dtypes) read the kind from the text, so the simulation
 * prints the same kinds. JSON.stringify cannot: it prints 100.0 as 100. Fields fio adds with
 * json_object_add_value_float are wrapped in FioDouble; everything else prints as JSON.stringify would.
 */
export class FioDouble {
  constructor(readonly value: number) {}

  /** JSON.stringify (and toEqual after a parse) sees the plain number. */
  toJSON(): number {
    return this.value
  }
}

/** A double as fio prints it: six decimals; fio's "nan"/"inf" are not JSON, so those print as 0. */
function double(x: number): string {
  return (Number.isFinite(x) ? x : 0).toFixed(6)
}

/** `value` as JSON indented by two spaces, with FioDouble printed as fio prints a double. */
export function fioJsonText(value: unknown, indent = ''): string {
  if (value instanceof FioDouble) return double(value.value)
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const inner = `${indent}  `
    return `[\n${value.map((v) => inner + fioJsonText(v, inner)).join(',\n')}\n${indent}]`
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    if (entries.length === 0) return '{}'
    const inner = `${indent}  `
    const lines = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${fioJsonText(v, inner)}`)
    return `{\n${lines.join(',\n')}\n${indent}}`
  }
  return JSON.stringify(value)
}

import { FioValueError } from './problems.js'

/**
 * fio's arithmetic in option values (HOWTO "Job file parameters"): a value starting with '(' is read
 * by fio's expression parser. Written from its grammar and token table (exp/expression-parser.y and
 * exp/expression-parser.l); the evaluator is our own. What it does, which is not what it looks like:
 *
 * - Precedence, loosest first (expression-parser.y:52-57): `+ -`, a unit, `* /`, `^` (right), `%`,
 *   unary minus. A unit is a postfix operator on everything of `* /` level before it:
 *   `(64k/4k*4k)` is ((64·1024/4)·1024·4)·1024 = 68719476736, `(1m/4k)` is 268435456, and `(2*5%3)` is 4.
 * - Whole numbers stay whole (expression-parser.y:102-115): `(7/2*2)` is 6. A number with a '.' is
 *   a double, and so is `ms`/`us`; whether a result is whole follows its left operand (bison's `$$ = $1`).
 * - Units are the same for every option (k m g t p with an optional b are powers of 1024, kib mib gib
 *   pib powers of 1000, whatever kb_base says; us ms s h d; m is minutes in a time, MiB otherwise).
 * - Without any unit the result is scaled by the option's implied unit and cast to a C int
 *   (expression-parser.y:294-297): what does not fit in 32 bits is refused.
 */
interface Value {
  /** fio's `ival`: the whole-number result, which str_to_decimal uses. */
  i: number
  /** fio's `dval`. */
  d: number
  /** fio's `has_dval`. */
  hasD: boolean
}

const INT_MAX = 2 ** 31 - 1
const unit = (i: number, hasD = false): Value => ({ i, d: i, hasD })
const SUFFIXES: Record<string, Value> = {
  k: unit(1024),
  kb: unit(1024),
  mb: unit(1024 ** 2),
  g: unit(1024 ** 3),
  gb: unit(1024 ** 3),
  t: unit(1024 ** 4),
  tb: unit(1024 ** 4),
  p: unit(1024 ** 5),
  pb: unit(1024 ** 5),
  kib: unit(1000),
  mib: unit(1000 ** 2),
  gib: unit(1000 ** 3),
  pib: unit(1000 ** 4), // sic: fio's lexer multiplies by 10^12 (expression-parser.l, [pP][iI][Bb])
  ms: unit(1000, true),
  us: unit(1, true),
  s: unit(1e6),
  h: unit(3600e6),
  d: unit(86400e6),
}

/**
 * fio's `evaluate_arithmetic_expression(text, &ival, &dval, impliedUnits, isTime)`: the whole-number
 * result. `impliedUnits` applies when no unit was written (1e6 for options counted in seconds).
 */
export function evaluate(text: string, isTime: boolean, impliedUnits = 1): number {
  const source = text.replace(/[#:,].*$/, '') // the lexer drops everything from # : or ,
  const tokens = source.match(/0x[0-9a-f]+|\d*\.\d+(?:e[-+]?\d+)?|\d+e[-+]?\d+|\d+|[a-z]+|\S/gi) ?? []
  let pos = 0
  let unitsGiven = false
  const fail = (why: string): never => {
    throw new FioValueError('an arithmetic expression fio can compute', why)
  }
  const peek = (): string | undefined => tokens[pos]
  const take = (): string => tokens[pos++] ?? fail('ends too early')
  const suffix = (t: string | undefined): Value | undefined => {
    if (t === undefined || !/^[a-z]+$/i.test(t)) return undefined
    const u = t.toLowerCase()
    if (u === 'm') return unit(isTime ? 60e6 : 1024 ** 2)
    return (Object.hasOwn(SUFFIXES, u) ? SUFFIXES[u] : undefined) ?? fail(`unknown unit "${t}"`)
  }

  function primary(): Value {
    const t = take()
    if (t === '(') {
      const v = sum()
      if (take() !== ')') fail('a ")" is missing')
      return v
    }
    if (t === '-') {
      const v = primary()
      return { i: -v.i, d: -v.d, hasD: v.hasD }
    }
    if (/^0x/i.test(t)) return int(Number.parseInt(t.slice(2), 16), t)
    if (/^\d+$/.test(t)) return int(Number(t), t)
    const d = /^\d*\.?\d+(e[-+]?\d+)?$/i.test(t) ? Number(t) : Number.NaN
    if (Number.isFinite(d)) return { i: Math.trunc(d), d, hasD: true }
    return fail(`unexpected "${t}"`)
  }
  const int = (n: number, t: string): Value =>
    n > INT_MAX ? fail(`${t} does not fit in the C int fio reads it into`) : unit(n)
  function modulo(): Value {
    let v = primary()
    while (peek() === '%') {
      pos++
      const r = primary()
      if (r.i === 0) fail('division by zero')
      const i = v.i % r.i
      v = { i, d: i, hasD: v.hasD }
    }
    return v
  }
  function power(): Value {
    const base = modulo()
    if (peek() !== '^') return base
    pos++
    const e = power()
    const d = base.d ** e.d
    if (base.hasD || e.hasD) return { i: Math.trunc(d), d, hasD: base.hasD }
    return { i: e.i >= 0 ? base.i ** e.i : Math.trunc(base.i ** e.i), d, hasD: false }
  }
  /** `* /` and units, left to right: a unit multiplies everything of this level before it. */
  function product(): Value {
    let v = power()
    for (let t = peek(); t !== undefined; t = peek()) {
      const u = suffix(t)
      if (u !== undefined) {
        pos++
        unitsGiven = true
        v = withUnit(v, u)
      } else if (t === '*' || t === '/') {
        pos++
        const r = power()
        v = t === '*' ? mul(v, r) : div(v, r)
      } else break
    }
    return v
  }
  const mul = (l: Value, r: Value): Value => {
    const d = l.d * r.d
    return { i: l.hasD || r.hasD ? Math.trunc(d) : l.i * r.i, d, hasD: l.hasD }
  }
  // expression-parser.y:124-136: a double is cast before the unit multiplies it ((0.5ms) is 0).
  const withUnit = (l: Value, u: Value): Value => {
    const whole = !l.hasD && !u.hasD
    return {
      i: whole ? l.i * u.i : Math.trunc(Math.trunc(l.d) * u.d),
      d: whole ? l.i * u.i : l.d * u.d,
      hasD: l.hasD,
    }
  }
  const div = (l: Value, r: Value): Value => {
    if ((!l.hasD && !r.hasD && r.i === 0) || Math.abs(r.d) < 1e-20) fail('division by zero')
    const d = l.d / r.d
    return { i: l.hasD || r.hasD ? Math.trunc(d) : Math.trunc(l.i / r.i), d, hasD: l.hasD }
  }
  function sum(): Value {
    let v = product()
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      pos++
      const r = product()
      const d = op === '+' ? v.d + r.d : v.d - r.d
      const i = v.hasD || r.hasD ? Math.trunc(d) : op === '+' ? v.i + r.i : v.i - r.i
      v = { i, d, hasD: v.hasD }
    }
    return v
  }

  const value = sum()
  if (pos !== tokens.length) fail(`unexpected "${tokens[pos]}"`)
  if (!Number.isFinite(value.i)) fail('not a finite number')
  if (unitsGiven) return value.i
  const scaled = Math.trunc(value.i * impliedUnits)
  if (Math.abs(scaled) > INT_MAX) {
    fail(`${scaled} without a unit does not fit in the C int fio casts it to: write a unit`)
  }
  return scaled
}

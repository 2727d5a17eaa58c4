import { FioValueError } from './problems.js'

/**
 * fio's arithmetic in option values (HOWTO "Job file parameters"): a value starting with '(' may use
 * + - * / % ^ and parentheses. Numbers may carry a unit; as in fio's expression lexer
 * (exp/expression-parser.l) size units are powers of 1024 (k, m, g, t, p, with an optional b) or of 1000
 * (kib, mib, gib, pib), and time units are us, ms, s, m (minutes), h, d. A time without any unit is in
 * seconds for options counted in seconds (runtime) and in microseconds otherwise; the result is µs.
 * Written from the HOWTO and the lexer's token table; the evaluator is our own.
 */
export type ExpressionKind = { kind: 'size'; kbBase: 1000 | 1024 } | { kind: 'time' } | { kind: 'number' }

const SIZE_UNITS: Record<string, number> = {
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  p: 1024 ** 5,
  pb: 1024 ** 5,
  kib: 1000,
  mib: 1000 ** 2,
  gib: 1000 ** 3,
  pib: 1000 ** 5,
}
const TIME_UNITS: Record<string, number> = { us: 1, ms: 1000, s: 1e6, m: 60e6, h: 3600e6, d: 86400e6 }

/** Evaluates `text` (which starts with '('); sizes in bytes, times in µs, plain numbers as they are. */
export function evaluate(text: string, kind: ExpressionKind, secondsByDefault = false): number {
  const source = text.replace(/[#:,].*$/, '')
  const tokens = source.match(/0x[0-9a-f]+|\d*\.?\d+(?:e[-+]?\d+)?|[a-z]+|[-+*/%^()]|\S/gi) ?? []
  let pos = 0
  let unitSeen = false
  const fail = (why: string): never => {
    throw new FioValueError('an arithmetic expression fio can compute', why)
  }
  const peek = (): string | undefined => tokens[pos]
  const take = (): string => tokens[pos++] ?? fail('ends too early')

  function primary(): number {
    const t = take()
    if (t === '(') {
      const v = sum()
      if (take() !== ')') fail('a ")" is missing')
      return v
    }
    if (t === '-') return -power()
    if (t === '+') return power()
    let n: number
    if (/^0x/i.test(t)) n = Number.parseInt(t.slice(2), 16)
    else if (/^\d*\.?\d+(e[-+]?\d+)?$/i.test(t)) n = Number(t)
    else return fail(`unexpected "${t}"`)
    const next = peek()
    if (next !== undefined && /^[a-z]+$/i.test(next)) {
      pos++
      const unit = next.toLowerCase()
      const table = kind.kind === 'time' ? TIME_UNITS : kind.kind === 'size' ? SIZE_UNITS : {}
      const mult = table[unit]
      if (mult === undefined) fail(`unknown unit "${next}"`)
      unitSeen = true
      n *= mult!
    }
    return n
  }
  function power(): number {
    const base = primary()
    if (peek() === '^') {
      pos++
      return base ** power()
    }
    return base
  }
  function product(): number {
    let v = power()
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      pos++
      const r = power()
      if (op !== '*' && r === 0) fail('division by zero')
      v = op === '*' ? v * r : op === '/' ? v / r : v % r
    }
    return v
  }
  function sum(): number {
    let v = product()
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      pos++
      const r = product()
      v = op === '+' ? v + r : v - r
    }
    return v
  }

  const value = sum()
  if (pos !== tokens.length) fail(`unexpected "${tokens[pos]}"`)
  if (!Number.isFinite(value)) fail('not a finite number')
  if (kind.kind === 'time' && !unitSeen && secondsByDefault) return value * 1e6
  return value
}

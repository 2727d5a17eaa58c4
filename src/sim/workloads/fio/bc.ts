import { FioValueError } from './problems.js'

/**
 * What fio's bc_calc (options.c:5950-5998) makes of a job-file value after $pagesize, $ncpus or
 * $mb_memory was replaced: a value with + - * or / is piped to `bc`, which computes with whole numbers
 * (its default scale is 0: `4096/3*3` is 4095) and the usual precedence (`^` right-associative above
 * `* / %`, above `+ -`); a value without them is kept as it is. bc rejects units (`4096*2k`), and fio
 * then rejects the option: so do we. Our own evaluator, written from bc's manual.
 */
export function bcCalc(value: string): string {
  if (!/[-+*/]/.test(value) || value.includes("'")) return value
  const tokens = value.match(/\d+|\S/g) ?? []
  let pos = 0
  const fail = (why: string): never => {
    throw new FioValueError('arithmetic bc can compute (fio hands a value with $pagesize to bc)', why)
  }
  const peek = (): string | undefined => tokens[pos]
  function primary(): bigint {
    const t = tokens[pos++] ?? fail('ends too early')
    if (t === '(') {
      const v = sum()
      if (tokens[pos++] !== ')') fail('a ")" is missing')
      return v
    }
    if (t === '-') return -primary()
    if (/^\d+$/.test(t)) return BigInt(t)
    return fail(`bc cannot read "${t}"`)
  }
  function power(): bigint {
    const base = primary()
    if (peek() !== '^') return base
    pos++
    const e = power()
    return e < 0n ? 0n : base ** e
  }
  function product(): bigint {
    let v = power()
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      pos++
      const r = power()
      if (op !== '*' && r === 0n) fail('division by zero')
      v = op === '*' ? v * r : op === '/' ? v / r : v % r
    }
    return v
  }
  function sum(): bigint {
    let v = product()
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      pos++
      const r = product()
      v = op === '+' ? v + r : v - r
    }
    return v
  }
  const result = sum()
  if (pos !== tokens.length) fail(`bc cannot read "${tokens[pos]}"`)
  return String(result)
}

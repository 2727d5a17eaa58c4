import type { FioEntry } from './lexer.js'
import { canonicalName } from './option-table.js'
import { type FioLog, FioValueError } from './problems.js'
import { type KbBase, parseInteger } from './units.js'

/**
 * A job's options as fio applies them: the [global] options above it, then its own, the last of each
 * name winning (aliases count as their option). Reading a value that fio would reject records a problem
 * at that line and returns the fallback, so that one pass finds every problem of the file.
 */
export class Effective {
  readonly #last = new Map<string, { entry: FioEntry; order: number }>()
  /** The settings of each option before its last, which fio parses (and rejects) too. */
  readonly #earlier = new Map<string, FioEntry[]>()

  constructor(
    private readonly entries: readonly FioEntry[],
    private readonly log: FioLog,
  ) {
    entries.forEach((entry, order) => {
      const name = canonicalName(entry.key)
      const before = this.#last.get(name)
      if (before !== undefined) this.#earlier.set(name, [...(this.#earlier.get(name) ?? []), before.entry])
      this.#last.set(name, { entry, order })
    })
  }

  has(name: string): boolean {
    return this.#last.has(name)
  }

  entry(name: string): FioEntry | undefined {
    return this.#last.get(name)?.entry
  }

  /** The raw text (undefined when absent; '' for a bare flag). */
  text(name: string): string | undefined {
    const e = this.#last.get(name)
    return e === undefined ? undefined : (e.entry.value ?? '')
  }

  /** Position of the option's last setting, -1 when absent: which of two options came last. */
  order(name: string): number {
    return this.#last.get(name)?.order ?? -1
  }

  /**
   * kb_base as it stood when the option's last setting was read: fio converts a size as it parses it
   * (parse.c:__get_mult_bytes reads the job's kb_base of the moment), so a kb_base later in the file,
   * or in the job below a [global] that set the size, does not change it. 1024 when none came before
   * (a bad kb_base is reported where kb_base is read).
   */
  kbBase(name: string): KbBase {
    const upTo = this.order(name)
    let kb: KbBase = 1024
    this.entries.forEach((e, order) => {
      if (order >= upTo || e.key !== 'kb_base') return
      const n = e.value?.trim()
      if (n === '1000' || n === '1024') kb = Number(n) as KbBase
    })
    return kb
  }

  /**
   * `parse(value)` of the option's last setting, or `fallback` when absent or bad. Every setting is
   * parsed, as fio parses each line: a bad value is logged even where a later line replaces it.
   */
  read<T>(name: string, parse: (value: string | undefined) => T, fallback: T): T {
    const e = this.#last.get(name)
    if (e === undefined) return fallback
    for (const earlier of this.#earlier.get(name) ?? [])
      this.attempt(earlier, () => parse(earlier.value), fallback)
    return this.attempt(e.entry, () => parse(e.entry.value), fallback)
  }

  /** The settings of an option before its last (each must parse too). */
  earlier(name: string): readonly FioEntry[] {
    return this.#earlier.get(name) ?? []
  }

  /** A whole-number option in [min, max] (parseInteger, with the option's kb_base for suffixes). */
  integer(name: string, min: number, max: number, fallback: number): number {
    return this.read(name, (v) => parseInteger(required(v), min, max, this.kbBase(name)), fallback)
  }

  /** Runs `fn`; a FioValueError becomes a problem at `entry`'s line. */
  attempt<T>(entry: FioEntry, fn: () => T, fallback: T): T {
    try {
      return fn()
    } catch (error) {
      if (!(error instanceof FioValueError)) throw error
      this.log.badValue(entry.source, entry.key, entry.value, error)
      return fallback
    }
  }

  /** A problem at the option's line (or nowhere when it is absent). */
  problem(name: string, message: string): void {
    const e = this.#last.get(name)
    if (e !== undefined) this.log.problem(e.entry.source, e.entry.key, message)
  }
}

/** A value of a bare-or-valued option as a string, with the value required. */
export function required(value: string | undefined): string {
  if (value === undefined) throw new FioValueError('a value', 'a bare option name')
  return value
}

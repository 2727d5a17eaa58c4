import { parseValueType, type ValueType } from './no-effect-values.js'
import { MODELLED_OPTIONS, type ModelledOption } from './options-modelled.js'
import { ENGINE_VALUE_TYPES, NO_EFFECT_GROUPS, REFUSED_OPTIONS } from './options-no-effect.js'

/** What the simulation does with one fio option. */
export type OptionClass =
  | { kind: 'modelled'; name: string; option: ModelledOption }
  | { kind: 'no-effect'; name: string; reason: string; type: ValueType }
  | { kind: 'refused'; name: string; reason: string }

const TABLE = new Map<string, OptionClass>()
for (const option of MODELLED_OPTIONS) {
  const entry: OptionClass = { kind: 'modelled', name: option.name, option }
  TABLE.set(option.name, entry)
  for (const alias of option.aliases ?? []) TABLE.set(alias, entry)
}
for (const [reason, names] of NO_EFFECT_GROUPS) {
  for (const entry of names.split(/\s+/)) {
    const [name = '', code = ''] = entry.split(/:(.*)/s)
    if (TABLE.has(name)) throw new Error(`fio option ${name} is listed twice`)
    TABLE.set(name, { kind: 'no-effect', name, reason, type: parseValueType(code) })
  }
}
const ENGINE_TYPES = new Map(
  Object.entries(ENGINE_VALUE_TYPES).map(([name, byEngine]) => [
    name,
    new Map(Object.entries(byEngine).map(([engine, code]) => [engine, parseValueType(code)])),
  ]),
)
for (const [name, reason] of Object.entries(REFUSED_OPTIONS)) {
  if (TABLE.has(name)) throw new Error(`fio option ${name} is listed twice`)
  TABLE.set(name, { kind: 'refused', name, reason })
}

/** The class of a fio option name (or alias); undefined for a name fio does not know. */
export function classifyOption(name: string): OptionClass | undefined {
  return TABLE.get(name)
}

/** The value type of a no-effect option under `engine` (its own engine's, where it differs). */
export function noEffectType(name: string, engine: string | undefined): ValueType | undefined {
  const entry = TABLE.get(name)
  if (entry?.kind !== 'no-effect') return undefined
  return (engine === undefined ? undefined : ENGINE_TYPES.get(name)?.get(engine)) ?? entry.type
}

/** The modelled option's canonical name for a name or alias (`readwrite` → `rw`). */
export function canonicalName(name: string): string {
  const entry = TABLE.get(name)
  return entry?.kind === 'modelled' ? entry.option.name : name
}

/** Every option fio knows, by class: the docs table and its test read this. */
export function allOptions(): OptionClass[] {
  return [...new Set(TABLE.values())]
}

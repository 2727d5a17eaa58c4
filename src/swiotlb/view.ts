/**
 * A caller's ArrayBufferView, read through the intrinsic accessors captured when this module loads:
 * a subclass's (or an own property's) `byteLength`, `byteOffset`, `buffer` or `set` is never called.
 * A view is measured by its buffer and its internal slots only (DESIGN §2: no mapping writes outside
 * its slots or shows stale bytes).
 */

const apply = Reflect.apply
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object

function getter(proto: object, key: PropertyKey): (this: unknown) => unknown {
  const get = Object.getOwnPropertyDescriptor(proto, key)?.get
  if (get === undefined) throw new Error(`no intrinsic getter ${String(key)}`)
  return get
}

const taTag = getter(TypedArrayProto, Symbol.toStringTag)
const taBuffer = getter(TypedArrayProto, 'buffer')
const taLength = getter(TypedArrayProto, 'byteLength')
const taOffset = getter(TypedArrayProto, 'byteOffset')
const taSet = (TypedArrayProto as { set: (this: unknown, src: ArrayLike<number>) => void }).set
const dvBuffer = getter(DataView.prototype, 'buffer')
const dvLength = getter(DataView.prototype, 'byteLength')
const dvOffset = getter(DataView.prototype, 'byteOffset')
const abResizable = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get
const sabGrowable =
  typeof SharedArrayBuffer === 'function'
    ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'growable')?.get
    : undefined

/** What readView found; one object reused per call site, so that reading a view allocates nothing. */
export class ViewParts {
  buffer: ArrayBufferLike | undefined = undefined
  byteOffset = 0
  byteLength = 0
  /** A real Uint8Array (by its internal slot, not its prototype chain). */
  isUint8 = false
}

/** Fills `out` from `view`'s internal slots; false when `view` is not an ArrayBufferView. */
export function readView(view: unknown, out: ViewParts): boolean {
  if (typeof view !== 'object' || view === null) return false
  const tag = apply(taTag, view, [])
  if (tag !== undefined) {
    out.buffer = apply(taBuffer, view, []) as ArrayBufferLike
    out.byteOffset = apply(taOffset, view, []) as number
    out.byteLength = apply(taLength, view, []) as number
    out.isUint8 = tag === 'Uint8Array'
    return true
  }
  try {
    out.byteLength = apply(dvLength, view, []) as number
  } catch {
    return false
  }
  out.buffer = apply(dvBuffer, view, []) as ArrayBufferLike
  out.byteOffset = apply(dvOffset, view, []) as number
  out.isUint8 = false
  return true
}

/** The byte length of a Uint8Array from its internal slot (0 once its buffer is detached). */
export function byteLengthOf(view: Uint8Array): number {
  return apply(taLength, view, []) as number
}

/** `target.set(source)` through the intrinsic TypedArray.prototype.set. */
export function copyInto(target: Uint8Array, source: Uint8Array): void {
  apply(taSet, target, [source])
}

/** A resizable ArrayBuffer or a growable SharedArrayBuffer, by the intrinsic getters. */
export function isResizable(buffer: ArrayBufferLike): boolean {
  if (abResizable !== undefined) {
    try {
      return apply(abResizable, buffer, []) === true
    } catch {
      // not an ArrayBuffer: a SharedArrayBuffer
    }
  }
  if (sabGrowable !== undefined) {
    try {
      return apply(sabGrowable, buffer, []) === true
    } catch {
      return false
    }
  }
  return false
}

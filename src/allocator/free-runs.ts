/**
 * Writing the free-run counter four slots at a time. The kernel renumbers a run one slot per step
 * (`mem->slots[i].list = ++count`); these loops write the same bytes, but through a Uint32Array view
 * of the same memory wherever four slots share one aligned word, which is most of a long run. On a
 * nearly empty pool a map or unmap renumbers up to 127 slots, and this was half the cost of tryMap.
 *
 * The word for bytes 4k..4k+3 holding count+4, count+3, count+2, count+1 (little-endian: byte 4k is
 * the low byte) is `count × 0x01010101 + 0x01020304`; no byte carries, as counts stay <= 128.
 *
 * The two cases are two functions (the pool calls each where it knows which it needs): one loop with
 * the used-slot test inside measured ~9 % slower per map + unmap than these two without the branch.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1
const ONES = 0x01010101
const RAMP = 0x01020304
const HIGHS = 0x80808080

/**
 * `list[i] = ++count` for every i = hi, hi - 1, ... down to lo (the slots just freed). Returns the last
 * count written.
 */
export function renumber(
  list: Uint8Array,
  words: Uint32Array,
  hi: number,
  lo: number,
  count: number,
): number {
  let i = hi
  while (i >= lo && (i & 3) !== 3) list[i--] = ++count
  if (LITTLE_ENDIAN) {
    for (; i - 3 >= lo; i -= 4) {
      words[i >>> 2] = count * ONES + RAMP
      count += 4
    }
  }
  while (i >= lo) list[i--] = ++count
  return count
}

/**
 * `list[i] = ++count` for i = hi, hi - 1, ... down to lo, while slot i is free (list[i] !== 0): the
 * free run before a mapping, renumbered to end where it now ends. Returns the last count written.
 */
export function renumberFree(
  list: Uint8Array,
  words: Uint32Array,
  hi: number,
  lo: number,
  count: number,
): number {
  let i = hi
  while (i >= lo && (i & 3) !== 3) {
    if (list[i] === 0) return count
    list[i--] = ++count
  }
  if (LITTLE_ENDIAN) {
    for (; i - 3 >= lo; i -= 4) {
      const k = i >>> 2
      const w = words[k]!
      // One of the word's four bytes is 0 (a used slot): finish slot by slot.
      if (((w - ONES) & ~w & HIGHS) !== 0) break
      words[k] = count * ONES + RAMP
      count += 4
    }
  }
  while (i >= lo && list[i] !== 0) list[i--] = ++count
  return count
}

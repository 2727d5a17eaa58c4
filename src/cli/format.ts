export { count, duration, mib } from '../report/format.js'

/** Lays out rows as columns: text columns (`leftColumns`, default the first) left-aligned, numbers right. */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  leftColumns: readonly number[] = [0],
): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (leftColumns.includes(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

import { closeSync, openSync, writeSync } from 'node:fs'
import type { Swiotlb, SwiotlbEvent } from '../../../index.js'
import { CAPTURE_HEADER } from './capture-format.js'
import { directionNumber } from './record.js'

/** Bytes gathered before one write to the file. */
const CHUNK = 1 << 16

/**
 * Writes a Swiotlb's maps and unmaps in our capture format (docs/trace-format.md), as they happen:
 * `simulate --trace-out`. The simulator does not say on which CPU a map ran (cpu -1), and maps no
 * padding (alloc size = size). Writes are synchronous, in 64 KiB pieces, so memory stays flat
 * however long the run.
 */
export class TraceWriter {
  readonly #fd: number
  #buffer = ''
  /** Direction of each live mapping by address: unmap events do not carry it. */
  readonly #dirs = new Map<number, number>()
  maps = 0
  unmaps = 0

  /** Creates (or truncates) `file` and writes the header, then `comments` as `# ` lines. */
  constructor(
    readonly file: string,
    comments: readonly string[] = [],
  ) {
    this.#fd = openSync(file, 'w')
    this.#buffer = `${[CAPTURE_HEADER, ...comments.map((c) => `# ${c}`)].join('\n')}\n`
  }

  /**
   * Follows `dma`'s events$ until the returned function is called. A pool without a throttle maps
   * every request through its non-blocking path, so its events cannot say whether the caller allowed
   * blocking: such a trace writes may block -1 (unknown), as a kernel without DMA_ATTR_MAY_BLOCK would.
   */
  attach(dma: Swiotlb): () => void {
    const known = dma.options.throttle !== false
    const sub = dma.events$.subscribe((e) => this.write(e, known))
    return () => sub.unsubscribe()
  }

  /** One event: maps and unmaps are written, the other kinds passed over. */
  write(e: SwiotlbEvent, mayBlockKnown = true): void {
    if (e.type === 'map') {
      this.maps++
      const dir = directionNumber(e.dir)
      this.#dirs.set(e.addr, dir)
      this.#line(
        `${ns(e.at)} -1 map ${field(e.device)} ${e.size} ${e.size} ${dir} ${mayBlockKnown ? (e.blocking ? 1 : 0) : -1} 0x${e.addr.toString(16)}\n`,
      )
    } else if (e.type === 'unmap') {
      this.unmaps++
      const dir = this.#dirs.get(e.addr) ?? 0
      this.#dirs.delete(e.addr)
      this.#line(`${ns(e.at)} -1 unmap ${field(e.device)} ${e.size} ${dir} 0x${e.addr.toString(16)}\n`)
    }
  }

  #line(text: string): void {
    this.#buffer += text
    if (this.#buffer.length >= CHUNK) this.#flush()
  }

  #flush(): void {
    if (this.#buffer.length > 0) writeSync(this.#fd, this.#buffer)
    this.#buffer = ''
  }

  close(): void {
    this.#flush()
    closeSync(this.#fd)
  }
}

function ns(ms: number): string {
  return String(Math.round(ms * 1e6))
}

/** A device name as one field: blanks become '_' (a name with spaces would split the line). */
function field(name: string): string {
  return name === '' ? '-' : name.replace(/\s/g, '_')
}

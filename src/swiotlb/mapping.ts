import type { Pool } from '../allocator/pool.js'
import { InvalidUnmapError } from '../errors.js'
import type { MappingDirection } from '../stats/types.js'
import { byteLengthOf, copyInto } from './view.js'

/** What a Mapping needs from the Swiotlb that made it. */
export interface MappingOwner {
  unmap(mapping: Mapping, options?: UnmapOptions): void
}

export interface UnmapOptions {
  /** Skip the copy back to the caller's buffer (DMA_ATTR_SKIP_CPU_SYNC). */
  skipCpuSync?: boolean
  /** The size the caller believes it mapped; a mismatch throws and changes nothing. */
  size?: number
}

/** A device raised this while reading `bytes` of a pool without backing memory. */
export class NoBackingMemoryError extends Error {
  readonly code = 'ERR_NO_BACKING_MEMORY'
  constructor(addr: number) {
    super(`mapping at 0x${addr.toString(16)} has no bytes: the Swiotlb was made with backing: false`)
    this.name = 'NoBackingMemoryError'
  }
}

/**
 * @internal Everything a Mapping is made of. The map path keeps one, fills it for each mapping it
 * places and hands it to the constructor, which copies it: one object per mapping, no positional list.
 */
export interface MappingRecord {
  owner: MappingOwner
  size: number
  slots: number
  dir: MappingDirection
  device: string
  waitedMs: number
  pool: Pool
  slot: number
  offset: number
  orig: Uint8Array | undefined
  blocking: boolean
}

/**
 * One live bounce mapping. The device sees `bytes` (the bounce copy, exactly `size` bytes) and the
 * caller's buffer is copied in at map time and back at unmap for 'from-device' and 'bidirectional'.
 */
export class Mapping implements Disposable {
  /** @internal */
  readonly owner: MappingOwner
  /** Bytes mapped. */
  readonly size: number
  /** Slots held, alignment padding included. */
  readonly slots: number
  readonly dir: MappingDirection
  readonly device: string
  /** Time spent in the wait queue, ms (0 when admitted at once). */
  readonly waitedMs: number
  /** @internal The pool and first slot held. */
  readonly pool: Pool
  /** @internal */
  readonly slot: number
  /** @internal Offset of `addr` in the pool's memory. */
  readonly offset: number
  /** @internal The caller's bytes (undefined without backing memory). */
  readonly orig: Uint8Array | undefined
  /** @internal Admitted by the throttle (counts against the blocking budget). */
  readonly blocking: boolean
  /** False once unmapped. */
  live = true
  #bytes: Uint8Array | undefined = undefined

  /** @internal Made by the map path only, from its record of the mapping it just placed. */
  constructor(r: MappingRecord) {
    this.owner = r.owner
    this.size = r.size
    this.slots = r.slots
    this.dir = r.dir
    this.device = r.device
    this.waitedMs = r.waitedMs
    this.pool = r.pool
    this.slot = r.slot
    this.offset = r.offset
    this.orig = r.orig
    this.blocking = r.blocking
  }

  /**
   * Bus address the device uses. Computed, not stored: an address above 2^32 is no small integer, and a
   * stored one was a 16-byte number object of its own on every mapping.
   */
  get addr(): number {
    return this.pool.start + this.offset
  }

  /** The device's view: exactly this mapping's bytes of the bounce buffer. */
  get bytes(): Uint8Array {
    this.#assertLive('bytes')
    if (this.#bytes === undefined) {
      const memory = this.pool.memory
      if (memory === undefined) throw new NoBackingMemoryError(this.addr)
      this.#bytes = memory.subarray(this.offset, this.offset + this.size)
    }
    return this.#bytes
  }

  /** Copies the caller's buffer into the bounce buffer again (dma_sync_single_for_device). */
  syncForDevice(): void {
    this.#assertLive('syncForDevice')
    if (this.orig !== undefined && this.dir !== 'from-device') {
      this.#assertBuffer('syncForDevice')
      this.pool.memory!.set(this.orig, this.offset)
    }
  }

  /** Copies the bounce buffer back to the caller's buffer (dma_sync_single_for_cpu). */
  syncForCpu(): void {
    this.#assertLive('syncForCpu')
    if (this.orig !== undefined && this.dir !== 'to-device') {
      this.#assertBuffer('syncForCpu')
      copyInto(this.orig, this.pool.memory!.subarray(this.offset, this.offset + this.size))
    }
  }

  #assertBuffer(what: string): void {
    if (byteLengthOf(this.orig!) !== this.size)
      throw new InvalidUnmapError(
        `${what} on mapping at 0x${this.addr.toString(16)}: the caller's buffer was detached or resized`,
      )
  }

  unmap(options?: UnmapOptions): void {
    this.owner.unmap(this, options)
  }

  [Symbol.dispose](): void {
    if (this.live) this.owner.unmap(this)
  }

  #assertLive(what: string): void {
    if (!this.live)
      throw new InvalidUnmapError(`${what} on mapping at 0x${this.addr.toString(16)}: already unmapped`)
  }
}

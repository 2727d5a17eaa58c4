import { SLOT_SIZE } from '../allocator/layout.js'
import type { Pool } from '../allocator/pool.js'
import { InvalidUnmapError } from '../errors.js'
import type { MappingDirection } from '../stats/types.js'
import type { MapRequest } from './map-request.js'
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
 * One live bounce mapping. The device sees `bytes` (the bounce copy, exactly `size` bytes) and the
 * caller's buffer is copied in at map time and back at unmap for 'from-device' and 'bidirectional'.
 *
 * What it shares with its request (size, slots, direction, device, the caller's bytes) it reads
 * through the request (a MapRequest: the waiter it was admitted from, or a FixedRequest) instead of
 * copying it, its wait too, and its address and first slot are computed: five fields where there were
 * thirteen, and no number objects for an address above 2^32 or a wait.
 */
export class Mapping implements Disposable {
  /** @internal The request it was made for. */
  readonly req: MapRequest
  /** @internal The pool it is in. */
  readonly pool: Pool
  /** @internal Offset of `addr` in the pool's memory. */
  readonly offset: number
  /** False once unmapped. */
  live = true
  #bytes: Uint8Array | undefined = undefined

  /** @internal Made by the map path only, for the mapping it just placed. */
  constructor(req: MapRequest, pool: Pool, offset: number) {
    this.req = req
    this.pool = pool
    this.offset = offset
  }

  /** Time spent in the wait queue, ms (0 when admitted at once). */
  get waitedMs(): number {
    return this.req.waitedMs
  }

  /** Bus address the device uses. */
  get addr(): number {
    return this.pool.start + this.offset
  }

  /** Bytes mapped. */
  get size(): number {
    return this.req.sizeBytes
  }

  /** Slots held, alignment padding included. */
  get slots(): number {
    return this.req.nslots
  }

  get dir(): MappingDirection {
    return this.req.shape.dir
  }

  get device(): string {
    return this.req.device
  }

  /** @internal The caller's bytes (undefined without backing memory). */
  get orig(): Uint8Array | undefined {
    return this.req.orig
  }

  /** @internal Admitted by the throttle (counts against the blocking budget). */
  get blocking(): boolean {
    return this.req.blocking
  }

  /** @internal The first slot held (the kept low bits and pad slots come before `addr`). */
  get slot(): number {
    return (this.offset - this.req.shape.offset) / SLOT_SIZE
  }

  /** @internal The Swiotlb whose pool it is in. */
  get owner(): MappingOwner {
    return this.pool.owner as MappingOwner
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

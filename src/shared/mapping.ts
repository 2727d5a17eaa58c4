import { InvalidUnmapError } from '../errors.js'
import type { MappingDirection } from '../stats/types.js'
import { NoBackingMemoryError, type UnmapOptions } from '../swiotlb/mapping.js'
import { byteLengthOf, copyInto } from '../swiotlb/view.js'

/** What a SharedMapping needs from the pool that made it. */
export interface SharedMappingOwner {
  unmap(mapping: SharedMapping, options?: UnmapOptions): void
  /**
   * Runs `fn` while `mapping` still holds its slots (under its area's lock); false, and nothing run,
   * when another thread unmapped it by address. Without `fn`, only the check, without the lock.
   */
  whileHeld(mapping: SharedMapping, fn?: () => void): boolean
}

/**
 * One live mapping of a shared pool, held by the thread that mapped it. The device sees `bytes`, a
 * view of the shared bounce memory covering exactly this mapping's bytes; the caller's buffer is
 * copied in at map time and back at unmap ('from-device' and 'bidirectional'), as with Mapping.
 *
 * Another thread may unmap it by address (`pool.unmap(addr)`); that frees the slots without copying
 * back, and from then on this object's `unmap`, `bytes`, `syncForDevice` and `syncForCpu` throw
 * InvalidUnmapError (its generation no longer matches), even after a later mapping took the same
 * address: it never reads or writes another mapping's bytes.
 */
export class SharedMapping implements Disposable {
  /** False once unmapped through this object. */
  live = true

  constructor(
    /** @internal */
    readonly owner: SharedMappingOwner,
    /** Bus address the device uses. */
    readonly addr: number,
    /** Bytes mapped. */
    readonly size: number,
    /** Slots held, alignment padding included. */
    readonly slots: number,
    readonly dir: MappingDirection,
    /** Time spent in the wait queue, ms (0 when admitted at once). */
    readonly waitedMs: number,
    /** @internal Offset of `addr` in the pool's memory. */
    readonly offset: number,
    /** @internal Tells this mapping from a later one at the same address. */
    readonly generation: number,
    /** @internal The pool's bounce memory (undefined without backing). */
    readonly memory: Uint8Array | undefined,
    /** @internal The caller's bytes (undefined without backing memory). */
    readonly orig: Uint8Array | undefined,
  ) {}

  /** The device's view: exactly this mapping's bytes of the shared bounce buffer. */
  get bytes(): Uint8Array {
    this.#assertLive('bytes')
    const memory = this.memory
    if (memory === undefined) throw new NoBackingMemoryError(this.addr)
    this.#held('bytes')
    return memory.subarray(this.offset, this.offset + this.size)
  }

  /** Copies the caller's buffer into the bounce buffer again (dma_sync_single_for_device). */
  syncForDevice(): void {
    this.#assertLive('syncForDevice')
    if (this.orig !== undefined && this.dir !== 'from-device') {
      const orig = this.#orig()
      this.#held('syncForDevice', () => this.memory!.set(orig, this.offset))
    }
  }

  /** Copies the bounce buffer back to the caller's buffer (dma_sync_single_for_cpu). */
  syncForCpu(): void {
    this.#assertLive('syncForCpu')
    if (this.orig !== undefined && this.dir !== 'to-device') {
      this.#orig()
      this.#held('syncForCpu', () => this.copyBack())
    }
  }

  /**
   * @internal The copy back, for a caller that holds the area lock and has checked the generation
   * (the pool's release): bounce bytes to the caller's buffer, or a throw when it was detached.
   */
  copyBack(): void {
    copyInto(this.#orig(), this.memory!.subarray(this.offset, this.offset + this.size))
  }

  /** Runs `fn` while the slots are still this mapping's; throws once another thread unmapped it. */
  #held(what: string, fn?: () => void): void {
    if (!this.owner.whileHeld(this, fn))
      throw new InvalidUnmapError(
        `${what} on mapping at 0x${this.addr.toString(16)}: unmapped already by another thread`,
      )
  }

  unmap(options?: UnmapOptions): void {
    this.owner.unmap(this, options)
  }

  [Symbol.dispose](): void {
    if (this.live) this.owner.unmap(this)
  }

  #orig(): Uint8Array {
    if (byteLengthOf(this.orig!) !== this.size)
      throw new InvalidUnmapError(
        `mapping at 0x${this.addr.toString(16)}: the caller's buffer was detached or resized`,
      )
    return this.orig!
  }

  #assertLive(what: string): void {
    if (!this.live)
      throw new InvalidUnmapError(`${what} on mapping at 0x${this.addr.toString(16)}: already unmapped`)
  }
}

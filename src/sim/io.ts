import type { Mapping } from '../index.js'

/** What an I/O reports to when it completes or fails. */
export interface IoOwner {
  ioDone(io: Io, ok: boolean): void
}

/** One block I/O: a request of `bytes` from `cpu`, and the bounce mappings of its scatter-gather list. */
export class Io {
  /** Entry 0 first; empty until mapped and after unmap. */
  maps: Mapping[] = []
  /** Time entry 0 spent in `map`, ms. */
  mapWaitMs = 0
  /**
   * Bytes of the entries the last map attempt mapped before a later entry failed: the kernel copied
   * them in (every map bounces to the device) before the list was given up. 0 after a success.
   */
  copiedBeforeFailure = 0
  constructor(
    readonly bytes: number,
    readonly read: boolean,
    readonly cpu: number,
    /** Clock time the submitter issued it, ms. */
    readonly issuedAt: number,
    readonly owner: IoOwner,
  ) {}

  /**
   * Unmaps every entry (the completion handler, or a failed map cleaning up): entries 1…n first, then
   * entry 0, as the RFC's dma_direct_unmap_sg does, so that a throttled entry 0 gives the semaphore
   * back only once the whole list is free.
   */
  unmapAll(): void {
    const maps = this.maps
    for (let i = 1; i < maps.length; i++) maps[i]!.unmap()
    if (maps.length !== 0) maps[0]!.unmap()
    this.maps = []
  }
}

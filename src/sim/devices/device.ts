import type { Io } from '../io.js'

/** A block device as a submitter sees it. */
export interface BlockDevice {
  readonly name: string
  /** True when completions wait until the submitting CPU polls for them. */
  readonly polled: boolean
  /**
   * Issues `io` from `io.cpu`. Resolves once the command is dispatched (tag taken, mapped, sent) or has
   * failed: the submitter sleeps in here for a tag or a MAY_BLOCK map. Completion is reported to
   * `io.owner` later.
   */
  submit(io: Io): Promise<void>
  /**
   * Polled queues: reaps every completion waiting in `cpu`'s queue, waiting for one if none is there.
   * Interrupt-driven devices never need it.
   */
  poll(cpu: number): Promise<void>
}

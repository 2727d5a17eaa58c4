/** Every record of the shared wait queue is in use: more blocking callers wait than `maxWaiters`. */
export class SharedQueueFullError extends Error {
  readonly code = 'ERR_SHARED_QUEUE_FULL'
  constructor(
    readonly maxWaiters: number,
    readonly sizeBytes: number,
  ) {
    super(`shared wait queue is full: ${maxWaiters} blocking requests wait already (sz: ${sizeBytes} bytes)`)
    this.name = 'SharedQueueFullError'
  }
}

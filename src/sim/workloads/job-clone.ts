import type { SimContext } from '../context.js'
import type { BlockDevice } from '../devices/device.js'
import { Io, type IoOwner } from '../io.js'
import type { Rng } from '../rng.js'
import type { JobSpec } from '../spec.js'
import { exponential } from './arrivals.js'

/**
 * One clone of a fio job: one thread on one CPU, as fio runs it with an async engine. It issues I/Os
 * until `iodepth` are in flight, then waits for a completion — on an interrupt-driven device it sleeps
 * until one is signalled, on a polled one it polls its CPU's queue. Issuing may sleep (a tag, a
 * MAY_BLOCK map), and while it sleeps the thread polls nothing. With `rate_iops` it issues at that pace
 * (no catching up when it falls behind), evenly or, with `rate_process=poisson`, with exponential gaps;
 * with a `startdelay` range it starts at a seeded point of it. Like fio, a clone stops issuing at its first I/O error
 * unless `continue_on_error` covers it.
 */
export class JobClone implements IoOwner {
  #inFlight = 0
  /** Set by an I/O error the job does not continue on (fio's continue_on_error). */
  #stopped = false
  #wake: (() => void) | undefined = undefined
  readonly #rng: Rng
  /** Its own stream for when it starts and when it issues: sizes stay the same whatever arrivals draw. */
  readonly #arrivals: Rng
  readonly #sizes: number[]
  readonly #cumulative: number[]
  readonly #readShare: number

  constructor(
    readonly job: JobSpec,
    readonly clone: number,
    readonly cpu: number,
    private readonly device: BlockDevice,
    private readonly ctx: SimContext,
  ) {
    this.#rng = ctx.rng(`job:${job.name}:${clone}`)
    this.#arrivals = ctx.rng(`arrivals:${job.name}:${clone}`)
    const total = job.bssplit.reduce((sum, e) => sum + e.weight, 0)
    let acc = 0
    this.#sizes = job.bssplit.map((e) => e.bytes)
    this.#cumulative = job.bssplit.map((e) => {
      acc += e.weight / total
      return acc
    })
    this.#readShare =
      job.rw === 'read' || job.rw === 'randread'
        ? 1
        : job.rw === 'write' || job.rw === 'randwrite'
          ? 0
          : job.rwmixread / 100
  }

  async run(): Promise<void> {
    const { engine } = this.ctx
    const clock = engine.clock
    const job = this.job
    const startMs = job.startDelayMs + job.startDelaySpreadMs * this.#arrivals.next()
    if (startMs > 0) await engine.sleep(startMs)
    const end = Math.min(clock.now() + job.runtimeMs, this.ctx.endMs)
    const pace = job.rateIops === undefined ? 0 : 1e6 / job.rateIops
    const poisson = job.rateProcess === 'poisson'
    let next = engine.nowTick()
    while (clock.now() < end && this.ctx.running && !this.#stopped) {
      if (this.#inFlight >= job.iodepth) {
        await this.#waitForCompletion()
        continue
      }
      if (pace !== 0) {
        const due = Math.round(next)
        if (engine.nowTick() < due) {
          await new Promise<void>((resolve) => engine.atTick(due, resolve))
          if (clock.now() >= end || !this.ctx.running || this.#stopped) break
        }
        next = Math.max(next, engine.nowTick()) + (poisson ? exponential(this.#arrivals, pace) : pace)
      }
      this.#inFlight++
      this.ctx.measures.inFlight++
      await this.device.submit(new Io(this.#size(), this.#isRead(), this.cpu, clock.now(), this))
    }
    while (this.#inFlight > 0) await this.#waitForCompletion()
  }

  #waitForCompletion(): Promise<void> {
    if (this.device.polled) return this.device.poll(this.cpu)
    return new Promise<void>((resolve) => {
      this.#wake = resolve
    })
  }

  ioDone(io: Io, ok: boolean): void {
    if (!ok) {
      const mode = this.job.continueOnError
      if (mode === 'none' || (mode === 'read' && !io.read) || (mode === 'write' && io.read))
        this.#stopped = true
    }
    this.#inFlight--
    this.ctx.measures.inFlight--
    const wake = this.#wake
    if (wake !== undefined) {
      this.#wake = undefined
      wake()
    }
  }

  #size(): number {
    const sizes = this.#sizes
    if (sizes.length === 1) return sizes[0]!
    const u = this.#rng.next()
    const cumulative = this.#cumulative
    for (let i = 0; i < cumulative.length - 1; i++) if (u < cumulative[i]!) return sizes[i]!
    return sizes[sizes.length - 1]!
  }

  #isRead(): boolean {
    const share = this.#readShare
    return share === 1 ? true : share === 0 ? false : this.#rng.next() < share
  }
}

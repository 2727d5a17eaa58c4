import type { SimContext } from '../context.js'
import type { BlockDevice } from '../devices/device.js'
import { TICK_MS } from '../engine.js'
import type { Io, IoOwner } from '../io.js'
import type { JobSpec } from '../spec.js'
import { FioIo } from './fio-io.js'
import type { FioJobSpec, IoDirection } from './fio-job-spec.js'
import type { FlowGroup } from './flow.js'
import { IoPicker, type Pick } from './io-picker.js'
import type { CloneMember, CloneStats } from './job-stats.js'
import { Pacer } from './pacer.js'
import { ReadBack } from './read-back.js'

/** When flow control holds a clone with nothing in flight, it looks again after this long (fio spins). */
const FLOW_RETRY_MS = 0.01

/**
 * One clone of a job read from a fio job file, with fio's semantics (backend.c do_io/do_verify/
 * keep_running): ramp_time before the statistics start; a size, number_ios or runtime bound (time_based
 * ignores the size); loops; a read-back of what was written (verify); rate caps per direction;
 * thinktime pauses that drain the queue; flow control; iodepth_low and iodepth_batch_complete_min.
 * Like fio, it stops at its first I/O error unless continue_on_error covers it.
 */
export class FioClone implements IoOwner {
  #inFlight = 0
  readonly #inFlightDir: Record<IoDirection, number> = { read: 0, write: 0, trim: 0 }
  #completions = 0
  #issues = 0
  #stopped = false
  /** This clone's share of its statistics entry, from run(). */
  #member: CloneMember | undefined = undefined
  #wake: (() => void) | undefined = undefined
  #counting = false
  #thoughtAt = { count: 0, ms: 0 }
  readonly #f: FioJobSpec
  readonly #picker: IoPicker
  readonly #pacer: Pacer
  readonly #readBack: ReadBack

  constructor(
    readonly job: JobSpec,
    readonly clone: number,
    readonly cpu: number,
    private readonly device: BlockDevice,
    private readonly ctx: SimContext,
    readonly stats: CloneStats,
    private readonly flow: FlowGroup | undefined,
  ) {
    this.#f = job.fio!
    this.#readBack = new ReadBack(this.#f.verify)
    this.#picker = new IoPicker(this.#f, ctx.rng(`job:${job.name}:${clone}`), this.#readBack)
    const draw = this.#picker.draw
    const mean = { read: draw.read.mean, write: draw.write.mean, trim: draw.trim.mean }
    this.#pacer = new Pacer(
      this.#f.rateBytes,
      this.#f.rateIops,
      mean,
      this.#f.poisson ? ctx.rng(`rate:${job.name}:${clone}`) : undefined,
    )
  }

  /** Ends the clone early (exitall): it issues nothing more and its in-flight I/Os finish. */
  stop(): void {
    this.#stopped = true
    this.#notify()
  }

  get stopped(): boolean {
    return this.#stopped
  }

  async run(): Promise<void> {
    const f = this.#f
    const now = (): number => this.ctx.engine.clock.now()
    const rampEnd = now() + f.rampMs
    const timeEnd = rampEnd + f.runtimeMs
    const member = this.stats.begin(rampEnd, timeEnd)
    this.#member = member
    this.#counting = f.rampMs === 0
    this.#thoughtAt = { count: 0, ms: now() }
    this.#pacer.reset(now())
    if (f.noIo) {
      if (Number.isFinite(timeEnd)) await this.ctx.engine.sleep(timeEnd - now())
      this.stats.end(member, now())
      return
    }
    this.flow?.join(f.flow!.weight)
    for (let loop = 0; (f.timeBased || loop < f.loops) && !this.#over(timeEnd); loop++) {
      await this.#workload(rampEnd, timeEnd)
      await this.#drain()
      if (f.verify?.readBack === true && !f.timeBased && !this.#over(timeEnd)) {
        await this.#verifyAll(timeEnd)
        await this.#drain()
      }
    }
    await this.#drain()
    this.flow?.leave(f.flow!.weight)
    this.stats.end(member, now())
  }

  #over(timeEnd: number): boolean {
    return this.#stopped || !this.ctx.running || this.ctx.engine.clock.now() >= timeEnd
  }

  /** Issues one loop's worth of I/O (do_io). */
  async #workload(rampEnd: number, timeEnd: number): Promise<void> {
    const f = this.#f
    const clock = this.ctx.engine.clock
    let bytes = 0
    let count = 0
    let next: Pick | undefined
    while (!this.#over(timeEnd)) {
      if (!this.#counting && clock.now() >= rampEnd) {
        this.#counting = true
        bytes = 0
        count = 0
        this.#pacer.reset(clock.now())
      }
      if (!f.timeBased && this.#counting) {
        if (f.sizeBytes !== null && bytes >= f.sizeBytes) break
        if (f.numberIos !== null && count >= f.numberIos) break
      }
      if (this.#inFlight >= f.depth) {
        await this.#waitFull()
        continue
      }
      next ??= this.#picker.next()
      if (this.#inFlightDir[next.dir] >= f.depthByDirection[next.dir]) {
        await this.#waitForCompletion()
        continue
      }
      if (this.#pacer.active && !next.verify) {
        const other = next.as === 'read' ? 'write' : next.as === 'write' ? 'read' : undefined
        const mixed = other !== undefined && f.mix[other] > 0 ? other : undefined
        const { dir, waitMs } = this.#pacer.choose(next.as, mixed, clock.now())
        if (dir !== next.dir) next = this.#picker.other(dir)
        // Below one tick the engine could not wait: the I/O is due.
        if (waitMs >= TICK_MS) {
          await this.ctx.engine.sleep(Math.min(waitMs, Math.max(0, timeEnd - clock.now())))
          continue
        }
      }
      if (this.flow?.exceeded(this.#issues, f.flow!.weight)) {
        await this.#drain()
        await this.ctx.engine.sleep(Math.max(f.flow!.sleepUs / 1000, FLOW_RETRY_MS))
        continue
      }
      const { dir, as, verify } = next
      let size = next.size
      next = undefined
      const sized = !verify && !f.timeBased && this.#counting && f.sizeBytes !== null
      if (sized && (this.#picker.countsBytes(as) || f.trimThenWrite)) {
        // fio issues only I/Os that fit in what is left of the size (io_u.c get_next_buflen, io_u_fits).
        const fitted = this.#picker.fit(as, size, f.sizeBytes! - bytes)
        if (fitted === undefined) break
        size = fitted
        this.#picker.resized({ dir, as, size, verify }, size)
      }
      if (!verify) {
        if (this.#picker.countsBytes(as)) bytes += size
        count++
        this.#pacer.issued(as, size)
      }
      await this.#issue(dir, size, verify)
      await this.#thinktime()
    }
  }

  /** Issues an I/O; the thread sleeps in submit for a tag or a MAY_BLOCK map, as in JobClone. */
  async #issue(dir: IoDirection, size: number, verify: boolean): Promise<void> {
    const f = this.#f
    const clock = this.ctx.engine.clock
    this.#inFlight++
    this.#inFlightDir[dir]++
    this.#issues++
    this.ctx.measures.inFlight++
    this.stats.issued(this.#inFlight)
    const dma = dir === 'trim' ? f.trimDmaBytes : size
    const io = new FioIo(dir, size, dma, this.cpu, clock.now(), this, this.#counting, verify)
    await this.device.submit(io)
    io.dispatchedAt = clock.now()
  }

  /** End of a loop: read back what it wrote, at the job's depth (do_verify). */
  async #verifyAll(timeEnd: number): Promise<void> {
    for (let size = this.#readBack.nextWritten(); size !== undefined; size = this.#readBack.nextWritten()) {
      while (this.#inFlight >= this.#f.depth) await this.#waitForCompletion()
      if (this.#over(timeEnd)) return
      await this.#issue('read', size, true)
    }
  }

  /**
   * thinktime (HOWTO `thinktime_blocks`, backend.c handle_thinktime): once thinktime_blocks I/Os were
   * issued since the last pause (or thinktime_iotime passed), wait until they completed ("complete",
   * the default) — fio quiesces the queue either way — then pause. With the default of one block, no
   * more than one I/O is queued: the HOWTO's "makes any queue depth setting redundant".
   */
  async #thinktime(): Promise<void> {
    const t = this.#f.thinktime
    if (t === null) return
    const now = this.ctx.engine.clock.now()
    const byTime = t.iotimeUs > 0 && now - this.#thoughtAt.ms >= t.iotimeUs / 1000
    const byBlocks = (t.iotimeUs === 0 || t.blocks > 1) && this.#issues - this.#thoughtAt.count >= t.blocks
    if (!byTime && !byBlocks) return
    await this.#drain()
    await this.ctx.engine.sleep(t.us / 1000)
    if (this.#f.rateIgnoreThinktime) this.#pacer.skipTo(this.ctx.engine.clock.now())
    this.#thoughtAt = { count: this.#issues, ms: this.ctx.engine.clock.now() }
  }

  /** A full queue: wait for iodepth_batch_complete_min completions, then down to iodepth_low. */
  async #waitFull(): Promise<void> {
    const need = Math.max(1, this.#f.completeMin)
    const start = this.#completions
    while (this.#inFlight > 0 && this.#completions - start < need) await this.#waitForCompletion()
    while (this.#inFlight > this.#f.iodepthLow) await this.#waitForCompletion()
  }

  async #drain(): Promise<void> {
    while (this.#inFlight > 0) await this.#waitForCompletion()
  }

  #waitForCompletion(): Promise<void> {
    if (this.device.polled) return this.device.poll(this.cpu)
    return new Promise<void>((resolve) => {
      this.#wake = resolve
    })
  }

  #notify(): void {
    const wake = this.#wake
    if (wake !== undefined) {
      this.#wake = undefined
      wake()
    }
  }

  ioDone(io: Io, ok: boolean): void {
    const fio = io as FioIo
    const now = this.ctx.engine.clock.now()
    if (!ok) {
      this.stats.errors++
      const mode = this.job.continueOnError
      const read = fio.dir === 'read'
      if (mode === 'none' || (mode === 'read' && !read) || (mode === 'write' && read)) this.#stopped = true
    } else if (fio.counted) {
      const dispatched = Number.isNaN(fio.dispatchedAt) ? fio.issuedAt : fio.dispatchedAt
      const slat = this.#f.syncEngine ? undefined : dispatched - fio.issuedAt
      const clat = this.#f.syncEngine ? now - fio.issuedAt : now - dispatched
      this.stats.completed(this.#member!, fio.dir, fio.ioBytes, now, slat, clat)
    }
    if (ok && fio.dir === 'write' && !fio.verify) this.#readBack.written(fio.ioBytes)
    this.#inFlight--
    this.#inFlightDir[fio.dir]--
    this.#completions++
    this.ctx.measures.inFlight--
    this.#notify()
  }
}

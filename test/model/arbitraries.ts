import fc from 'fast-check'
import {
  AbortCommand,
  AdvanceCommand,
  CloseCommand,
  MapCommand,
  RefuseGrowCommand,
  ResetHiwaterCommand,
  StaleUnmapCommand,
  UnmapCommand,
} from './commands.js'
import {
  AbortWatchCommand,
  BurstCommand,
  type CancelBad,
  CancelCommand,
  type CancelReason,
  SetThrottleCommand,
  WatchCommand,
  type WatchSignal,
} from './commands-queue.js'
import type { Mode, ModelConfig } from './model.js'
import type { GrowthConfig } from './model-growth.js'
import { SEGMENT, SLOT } from './model-pools.js'

// Timers set by different causes get different binary fractions of a millisecond, so that two timers
// due at the same time are always two of the same kind (whose order is their creation order).
const TIMEOUT_FRACTION = 1 / 2
const WAIT_FRACTION = 1 / 4
const COST_FRACTION = 1 / 64
const SHRINK_FRACTION = 1 / 512

const growthArb = (nslabs: number): fc.Arbitrary<GrowthConfig> =>
  fc
    .record({
      chunkSlots: fc.constantFrom(SEGMENT, 2 * SEGMENT, 3 * SEGMENT, 4 * SEGMENT),
      chunks: fc.integer({ min: 0, max: 4 }),
      slackSlots: fc.integer({ min: 0, max: 256 }),
      waitMs: fc.option(
        fc.integer({ min: 0, max: 20 }).map((w) => w + WAIT_FRACTION),
        { freq: 4 },
      ),
      costMs: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 10 }).map((c) => c + COST_FRACTION),
      ),
      shrinkAfterMs: fc.option(
        fc.integer({ min: 0, max: 30 }).map((s) => s + SHRINK_FRACTION),
        { freq: 3 },
      ),
      transient: fc.boolean(),
      atUsage: fc.option(fc.constantFrom(0.5, 0.8, 1), { freq: 2, nil: undefined }),
    })
    .map(({ chunks, slackSlots, waitMs, shrinkAfterMs, ...g }) => ({
      ...g,
      maxBytes: (nslabs + chunks * g.chunkSlots + slackSlots) * SLOT,
      waitMs: waitMs ?? undefined,
      // At most 6 grows fit under maxBytes. A shrink timer shorter than 6 grows lets the shrinker return
      // the first chunk while the next is still being made, and a head that needs several chunks then
      // drives grow/shrink for ever (open issue, see test/model/README.md): not generated here.
      shrinkAfterMs: shrinkAfterMs === null ? undefined : shrinkAfterMs + 7 * g.costMs,
    }))

/**
 * Issue 15 point 2: transient pools fill `maxBytes` (one or two chunks over the pool, no slack), a head
 * waits `waitMs` for a grow that has no room, then the transient pools go and the grow must come.
 */
const transientFillArb = (nslabs: number): fc.Arbitrary<GrowthConfig> =>
  fc
    .record({
      chunkSlots: fc.constantFrom(SEGMENT, 2 * SEGMENT),
      chunks: fc.integer({ min: 1, max: 2 }),
      waitMs: fc.integer({ min: 0, max: 10 }).map((w) => w + WAIT_FRACTION),
      costMs: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 5 }).map((c) => c + COST_FRACTION),
      ),
    })
    .map(({ chunks, ...g }) => ({
      ...g,
      maxBytes: (nslabs + chunks * g.chunkSlots) * SLOT,
      atUsage: undefined,
      shrinkAfterMs: undefined,
      transient: true,
    }))

export type GrowthKind = 'never' | 'sometimes' | 'always' | 'transient-fill'

/**
 * A pool of 1 to 8 segments and 1 to 4 areas (a size that does not split into whole segments per area
 * is rounded up, DESIGN §2), a throttle of `mode`, growth or not.
 */
export function configArb(mode: Mode, growth: GrowthKind): fc.Arbitrary<ModelConfig> {
  return fc
    .record({
      segments: fc.integer({ min: 1, max: 8 }),
      areasLog: fc.integer({ min: 0, max: 2 }),
      high: fc.constantFrom(0.25, 0.5, 0.7, 0.9, 1),
      lowOfHigh: fc.constantFrom(0.5, 0.9, 1),
      short: fc.integer({ min: 0, max: SEGMENT * SLOT - 1 }),
      // A budget in bytes instead of high (and the default low), as a fraction of the pool's bytes.
      budgetOfPool: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
      ),
    })
    .chain(({ segments, areasLog, high, lowOfHigh, short, budgetOfPool }) => {
      const nareas = Math.min(2 ** areasLog, 2 ** Math.floor(Math.log2(segments)))
      const nslabs = Math.ceil(segments / nareas) * nareas * SEGMENT
      const g =
        growth === 'never'
          ? fc.constant(undefined)
          : growth === 'always'
            ? growthArb(nslabs)
            : growth === 'transient-fill'
              ? transientFillArb(nslabs)
              : fc.option(growthArb(nslabs), { nil: undefined })
      const sizeBytes = segments * SEGMENT * SLOT - (segments > 1 ? short : 0) // at least one segment
      const budgetBytes =
        budgetOfPool === undefined || mode === 'off'
          ? undefined
          : Math.max(SLOT, Math.floor(budgetOfPool * nslabs * SLOT))
      return g.map((gc) => ({
        mode,
        high,
        low: high * lowOfHigh,
        sizeBytes,
        budgetBytes,
        nslabs,
        nareas,
        growth: gc,
      }))
    })
}

const sizeArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 4096 }) },
  { weight: 3, arbitrary: fc.integer({ min: 4097, max: 64 * 1024 }) },
  { weight: 2, arbitrary: fc.integer({ min: 64 * 1024 + 1, max: 256 * 1024 }) },
  { weight: 1, arbitrary: fc.integer({ min: 256 * 1024 + 1, max: 300 * 1024 }) },
)

const mapArb = (blocking: boolean) =>
  fc
    .record({
      sync: fc.boolean(),
      size: sizeArb,
      dir: fc.constantFrom('to-device' as const, 'from-device' as const, 'bidirectional' as const),
      device: fc.constantFrom('nvme', 'scsi', 'nic'),
      allocAlignMask: fc.option(fc.constantFrom(1023, 4095, 16383, 65535), { freq: 6, nil: undefined }),
      timeoutMs: fc.option(
        fc.oneof(
          fc.constant(0),
          fc.integer({ min: 0, max: 40 }).map((t) => t + TIMEOUT_FRACTION),
        ),
        { freq: 2, nil: undefined },
      ),
      preAborted: fc.integer({ min: 0, max: 11 }).map((x) => x === 0),
    })
    .map((p) => new MapCommand({ ...p, blocking }))

const fractionArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0.1, 0.25, 0.5, 0.7, 0.9, 1) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -0.5, 1.2, Number.NaN, '0.5', true, null) },
)

const budgetBytesArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 3 * 1024 * 1024 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(2047, 4096.5, '65536', Number.POSITIVE_INFINITY, -SLOT) },
)

/** setThrottle's argument: mostly valid thresholds or budgets, sometimes each kind of bad input. */
const retuneArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ high: fractionArb, low: fractionArb }, { requiredKeys: [] }) },
  {
    weight: 3,
    arbitrary: fc.record(
      { budgetBytes: budgetBytesArb, low: fractionArb },
      { requiredKeys: ['budgetBytes'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      null,
      undefined,
      0.5,
      [0.5],
      { hihg: 0.5 },
      { high: 0.5, budgetBytes: 65536 },
    ),
  },
)

const watchArb = fc
  .record({
    kind: fc.constantFrom('idle' as const, 'below' as const),
    n: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 6 }) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, Number.NaN, '2', null, 2 ** 53) },
    ),
    signal: fc.constantFrom<WatchSignal>('none', 'none', 'live', 'live', 'aborted', 'bad'),
  })
  // One bad argument at a time: a bad n goes with a good signal.
  .map(({ kind, n, signal }) =>
    kind === 'below' && !(Number.isSafeInteger(n) && (n as number) >= 1) && signal === 'bad'
      ? new WatchCommand(kind, n, 'live')
      : new WatchCommand(kind, n, signal),
  )

const cancelArb = fc
  .record({
    reason: fc.constantFrom<CancelReason>('none', 'string', 'error'),
    device: fc.oneof(
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('nvme', 'scsi', 'nic', 'idle-device') },
    ),
    // One call in six has bad options.
    bad: fc.oneof(
      { weight: 5, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<CancelBad>('string-options', 'null-options', 'device-type', 'unknown-key'),
      },
    ),
  })
  .map(({ reason, device, bad }) => new CancelCommand(reason, device, bad))

export const commandsArb = (maxCommands: number) =>
  fc.commands(
    [
      fc.oneof(
        { weight: 3, arbitrary: mapArb(false) },
        { weight: 5, arbitrary: mapArb(true) },
        {
          weight: 6,
          arbitrary: fc
            .tuple(
              fc.nat(),
              fc.constantFrom('method' as const, 'owner' as const, 'addr' as const, 'dispose' as const),
            )
            .map(([pick, how]) => new UnmapCommand(pick, how)),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              fc.nat(),
              fc.constantFrom('mapping' as const, 'addr' as const, 'inside' as const, 'size' as const),
            )
            .map(([pick, how]) => new StaleUnmapCommand(pick, how)),
        },
        { weight: 1, arbitrary: fc.nat().map((pick) => new AbortCommand(pick)) },
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 25 }).map((ms) => new AdvanceCommand(ms)) },
        // close() is for good: rare (about one run in three has one), so most runs keep growing.
        {
          weight: 1,
          arbitrary: fc
            .integer({ min: 0, max: 9 })
            .map((n) => (n === 0 ? new CloseCommand() : new AdvanceCommand(n))),
        },
        { weight: 1, arbitrary: fc.boolean().map((refuse) => new RefuseGrowCommand(refuse)) },
        { weight: 1, arbitrary: fc.constant(new ResetHiwaterCommand()) },
        { weight: 2, arbitrary: cancelArb },
        { weight: 1, arbitrary: retuneArb.map((input) => new SetThrottleCommand(input)) },
        { weight: 2, arbitrary: watchArb },
        { weight: 1, arbitrary: fc.nat().map((pick) => new AbortWatchCommand(pick)) },
        {
          weight: 1,
          arbitrary: fc
            .array(mapArb(true), { minLength: 3, maxLength: 6 })
            .map((maps) => new BurstCommand(maps)),
        },
      ),
    ],
    { maxCommands, size: 'max' },
  )

import { type Clock, parseBytes, SEGMENT_SLOTS, SLOT_SIZE, type SwiotlbOptions } from '../index.js'
import { SpecError } from './errors.js'
import type { PolicyTuning, PoolSpec } from './spec.js'

/** SLABS_PER_PAGE << MAX_PAGE_ORDER slots: the largest pool swiotlb_alloc_pool makes, 4 MiB. */
const MAX_ORDER_POOL_BYTES = 4 * 1024 * 1024
const SEGMENT_BYTES = SEGMENT_SLOTS * SLOT_SIZE

/**
 * The pool the Swiotlb builds for `pool`: its size rounded up to whole segments (as the kernel's
 * setup_io_tlb_npages aligns it), then to whole segments per area (swiotlb/options.ts), so that
 * 1.25 MiB in 4 areas is 2 MiB.
 */
export function builtPoolBytes(pool: PoolSpec): number {
  const segments = Math.max(1, Math.ceil(pool.size / SEGMENT_BYTES))
  const areas = Math.max(1, pool.areas)
  return Math.ceil(segments / areas) * areas * SEGMENT_BYTES
}

/**
 * The size of the pool mainline's worker adds: swiotlb_dyn_alloc asks swiotlb_alloc_pool for
 * default_nslabs, the default pool's size (as built), and swiotlb_alloc_pool caps it at
 * MAX_PAGE_ORDER pages, 4 MiB (kernel/dma/swiotlb.c). Its IO_TLB_MIN_SLABS (1 MiB) is only where the
 * halving stops when memory is short, which the simulator does not model: no floor but a segment.
 */
const dynamicPoolBytes = (pool: PoolSpec) => Math.min(MAX_ORDER_POOL_BYTES, builtPoolBytes(pool))

/** What a policy sets on a `Swiotlb`; a run adds the pool's size and areas, `backing: false` and its clock. */
export type PolicyOptions = Pick<SwiotlbOptions, 'throttle' | 'growth'>

/** One policy a run can compare: everything the simulator, the CLI and the report know of it. */
export interface PolicyDefinition {
  /** The one spelling: spec files, `--policies`, result keys, tables and charts. */
  readonly name: string
  /** Other names accepted wherever a user names policies; they resolve to `name`. */
  readonly aliases: readonly string[]
  /** One line: what it does and where it comes from. */
  readonly summary: string
  /** Its colour in every chart of the report. */
  readonly color: string
  /** In the comparison when a spec names no policies (DESIGN §8's five). */
  readonly byDefault: boolean
  /** Its pools may grow (growth or transient pools): the run follows all pools' bytes for the peak. */
  readonly grows: boolean
  /** Blocking maps may wait in its throttle's queue (drawn in the report's queue chart). */
  readonly queues: boolean
  /** The high mark to draw on its usage chart, a fraction of capacity; undefined: none worth drawing. */
  threshold(t: PolicyTuning): number | undefined
  /** Its `Swiotlb` options for a pool, from the run's tuning. */
  options(pool: PoolSpec, t: PolicyTuning): PolicyOptions
}

const growCost = (t: PolicyTuning) => ({ fixedMs: t.growCost.fixedMs, perMiBMs: t.growCost.perMiBMs })
const high = (t: PolicyTuning) => t.high
const none = () => undefined

/**
 * The registry: every policy, in the order runs and tables list them. Adding a policy is adding an
 * entry here; nothing else names policies (test/sim/policies.test.ts checks each entry against a run).
 */
export const POLICIES = [
  {
    name: 'fail',
    aliases: [],
    summary: 'the kernel today: fixed pool, no throttle, a full pool fails the map',
    color: '#c0392b',
    byDefault: true,
    grows: false,
    queues: false,
    threshold: none,
    options: () => ({ throttle: false }),
  },
  {
    name: 'rfc',
    aliases: [],
    summary:
      "Michael Kelley's RFC: serialize above the high mark; a request that then finds no slots fails (throttle mode 'serialize', whenFull 'fail')",
    color: '#8e44ad',
    byDefault: true,
    grows: false,
    queues: true,
    threshold: high,
    options: (_, t) => ({
      throttle: { mode: 'serialize', high: t.high, low: Math.min(t.low, t.high), whenFull: 'fail' },
    }),
  },
  {
    name: 'rfc-wait',
    aliases: [],
    summary: "the RFC's serialization, but a request that finds no slots keeps waiting (whenFull 'wait')",
    color: '#c39bd3',
    byDefault: false,
    grows: false,
    queues: true,
    threshold: high,
    options: (_, t) => ({
      throttle: { mode: 'serialize', high: t.high, low: Math.min(t.low, t.high), whenFull: 'wait' },
    }),
  },
  {
    name: 'throttle',
    aliases: [],
    summary: 'blk-mq tags model: blocking maps share a budget of high × capacity, one FIFO',
    color: '#2471a3',
    byDefault: true,
    grows: false,
    queues: true,
    threshold: high,
    options: (_, t) => ({ throttle: { high: t.high } }),
  },
  {
    name: 'dynamic',
    aliases: [],
    summary:
      'mainline SWIOTLB_DYNAMIC: no throttle; a failed search schedules a grow and takes a transient pool from the atomic pools',
    color: '#d68910',
    byDefault: true,
    grows: true,
    queues: false,
    threshold: none,
    // kernel/dma/swiotlb.c: swiotlb_find_slots schedules swiotlb_dyn_alloc when a search fails and
    // makes a transient pool (GFP_NOWAIT: in a CoCo VM from the atomic pools, kernel/dma/pool.c);
    // add_mem_pool puts the new pool at the head of the list. The worker's pool is dynamicPoolBytes:
    // tuning.chunkBytes is hybrid's, which mainline has no say in.
    options: (pool, t) => ({
      throttle: false,
      growth: {
        background: { onFailure: true },
        searchOrder: 'newest-first',
        transient:
          t.transientFrom === 'atomic' ? { atomicPoolBytes: t.atomicPoolBytes, atomicPools: 3 } : true,
        chunkBytes: dynamicPoolBytes(pool),
        cost: growCost(t),
      },
    }),
  },
  {
    name: 'hybrid',
    aliases: [],
    summary: "budget throttle, then Robin Murphy's bounded grow after the head waited waitMs",
    color: '#229954',
    byDefault: true,
    grows: true,
    queues: true,
    threshold: high,
    // Grows by the user's tuning.chunkBytes, else by the pool mainline's worker would add, so that a
    // pool under 4 MiB can grow under twice its size as a larger one does.
    options: (pool, t) => ({
      throttle: { high: t.high },
      growth: {
        waitMs: t.waitMs,
        maxBytes: Math.max(t.maxBytes ?? 2 * builtPoolBytes(pool), builtPoolBytes(pool)),
        chunkBytes: t.chunkBytes ?? dynamicPoolBytes(pool),
        cost: growCost(t),
      },
    }),
  },
  {
    name: 'fair-share',
    aliases: ['fair'],
    summary: 'budget throttle with one FIFO per device and a capped share each (hctx_may_queue)',
    color: '#148f77',
    byDefault: false,
    grows: false,
    queues: true,
    threshold: high,
    options: (_, t) => ({ throttle: { high: t.high, mode: 'fair-share' } }),
  },
] as const satisfies readonly PolicyDefinition[]

type Entry = (typeof POLICIES)[number]
/** A policy's one spelling. */
export type PolicyName = Entry['name']
/** A name a user may give for a policy: its spelling or one of its aliases. */
export type PolicyInput = PolicyName | Entry['aliases'][number]

/** Every policy's name, in registry order. */
export const POLICY_NAMES: readonly PolicyName[] = POLICIES.map((p) => p.name)

/** The policies compared by default. */
export const DEFAULT_POLICIES: readonly PolicyName[] = POLICIES.filter((p) => p.byDefault).map((p) => p.name)

/** Each policy's one-line summary. */
export const POLICY_SUMMARY = Object.fromEntries(POLICIES.map((p) => [p.name, p.summary])) as Record<
  PolicyName,
  string
>

/** A definition of the registry, with its name's literal type. */
export type Policy = PolicyDefinition & { readonly name: PolicyName }

const BY_NAME = new Map<string, Policy>()
for (const p of POLICIES) for (const n of [p.name, ...p.aliases]) BY_NAME.set(n, p)

/** The policy a user's name or alias stands for ('fair' → fair-share); undefined for no policy. */
export function findPolicy(name: unknown): Policy | undefined {
  return typeof name === 'string' ? BY_NAME.get(name) : undefined
}

/** The policy `name` stands for; a name that is no policy throws SpecError naming `field`. */
export function policyByName(name: unknown, field = 'policy'): Policy {
  const found = findPolicy(name)
  if (found === undefined) throw new SpecError(field, `one of ${POLICY_NAMES.join(', ')}`, name)
  return found
}

/**
 * The policies a user listed, resolved. Throws SpecError naming `field[i]` for a name that is no
 * policy, or one that names a policy listed before (its alias included).
 */
export function resolvePolicies(names: readonly unknown[], field = 'policies'): Policy[] {
  const out: Policy[] = []
  names.forEach((name, i) => {
    const found = policyByName(name, `${field}[${i}]`)
    if (out.includes(found)) throw new SpecError(`${field}[${i}]`, 'a policy not listed before', name)
    out.push(found)
  })
  return out
}

/**
 * Bytes one grow of `policy` adds to `pool` under tuning `t`: its entry's growth.chunkBytes (every entry
 * that grows names one; test/sim/hybrid-chunk.test.ts checks). undefined for a policy that never grows.
 */
export function growChunkBytes(policy: PolicyInput, pool: PoolSpec, t: PolicyTuning): number | undefined {
  const growth = policyByName(policy).options(pool, t).growth
  if (growth === undefined || growth === false || growth.chunkBytes === undefined) return undefined
  return parseBytes('growth.chunkBytes', growth.chunkBytes)
}

/** The Swiotlb options of `policy` for a pool, on `clock`. Accounting only: no backing memory. */
export function policyOptions(
  policy: PolicyInput,
  pool: PoolSpec,
  t: PolicyTuning,
  clock: Clock,
): SwiotlbOptions {
  const { options } = policyByName(policy)
  return { size: pool.size, areas: pool.areas, backing: false, clock, ...options(pool, t) }
}

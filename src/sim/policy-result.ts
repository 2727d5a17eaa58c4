import { SLOT_SIZE, type SwiotlbStats } from '../index.js'
import type { Measures } from './measures.js'
import {
  type DeviceResult,
  FIO_PERCENTILES,
  type PolicyResult,
  percentileLabel,
  round1,
  us,
} from './result.js'
import type { SimSpec } from './spec.js'

const MIB = 1024 * 1024

export interface PolicyResultSources {
  spec: SimSpec
  measures: Measures
  stats: SwiotlbStats
  perAreaSum: number
  sampledBytes: number
  poolBytes: { initial: number; peak: number }
  /** Exact high-water mark in slots, transient pools included (debugfs io_tlb_used_hiwater). */
  hiwaterSlots: number
}

/** Turns a run's counters, histograms and final snapshot into the result of DESIGN §8. */
export function buildPolicyResult(s: PolicyResultSources): PolicyResult {
  const { spec, measures: m, stats } = s
  const seconds = spec.runtimeMs / 1000
  const clatUs: Record<string, number> = {}
  for (const p of FIO_PERCENTILES) clatUs[percentileLabel(p)] = us(m.clat, p)
  const devices: Record<string, DeviceResult> = {}
  for (const d of m.devices.values()) {
    devices[d.name] = {
      kind: d.kind,
      ios: d.ios,
      ioErrors: d.ioErrors,
      requeues: d.requeues,
      mibps: round1(d.windowBytes / MIB / seconds),
      mapWaitUs: { p50: us(d.mapWait, 50), p99: us(d.mapWait, 99), max: round1(d.mapWait.max * 1000) },
      clatUs: { p50: us(d.clat, 50), p99: us(d.clat, 99), max: round1(d.clat.max * 1000) },
    }
  }
  const ios = m.total('ios')
  return {
    ios,
    ioErrors: m.total('ioErrors'),
    iops: Math.round(m.total('windowIos') / seconds),
    mibps: round1(m.total('windowBytes') / MIB / seconds),
    poolBytes: {
      initial: s.poolBytes.initial,
      grown: stats.growth.bytesGrown,
      peak: s.poolBytes.peak,
    },
    hiwater: { exact: s.hiwaterSlots * SLOT_SIZE, perAreaSum: s.perAreaSum, sampled: s.sampledBytes },
    throttle: {
      highCount: stats.throttle.highCount,
      lowCount: stats.throttle.lowCount,
      waits: m.total('waits'),
    },
    mapWaitUs: {
      p50: us(m.mapWait, 50),
      p99: us(m.mapWait, 99),
      p99_9: us(m.mapWait, 99.9),
      max: round1(m.mapWait.max * 1000),
    },
    clatUs,
    requeues: m.total('requeues'),
    stuckIos: m.inFlight,
    imports: { ok: m.imports, failed: m.importFailures },
    growth: { grows: stats.growth.grows, transients: stats.growth.transients, shrinks: stats.growth.shrinks },
    pools: { count: stats.pools, areas: stats.poolList.reduce((sum, p) => sum + p.areas, 0) },
    devices,
  }
}

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatComparison } from '../../src/cli/comparison.js'
import { main } from '../../src/cli/main.js'
import { Swiotlb, VirtualClock } from '../../src/index.js'
import { buildReportModel } from '../../src/report/model.js'
import {
  DEFAULT_POLICIES,
  DEFAULT_TUNING,
  DEVICE_KINDS,
  findPolicy,
  POLICIES,
  POLICY_NAMES,
  parseSpec,
  policyOptions,
  runPolicy,
  runSpec,
  type SimResult,
  type SimSpec,
  SpecError,
  sizePool,
} from '../../src/sim/index.js'
import { resolvePolicies } from '../../src/sim/policies.js'
import { memoryIo } from './cli-io.js'

const MIB = 1024 * 1024

// A 2 MiB pool that 4 × 12 × 64 KiB of slow reads overrun: every throttle queues, every growth grows
// (hybrid's head waits past waitMs: the device takes 3 ms), the NIC's maps fail under `fail`.
const pressure = (policies: readonly string[] = POLICY_NAMES): SimSpec =>
  parseSpec({
    name: 'pressure',
    cpus: 4,
    pool: '2M',
    runtime: '40ms',
    devices: [
      { name: 'nvme0', type: 'nvme', latencyUs: 3000 },
      { name: 'sda', type: 'scsi', latencyUs: 3000 },
      { name: 'eth0', type: 'nic', pps: 20_000, batch: 8, queues: 1, ringSize: 16 },
    ],
    jobs: [
      { name: 'j', device: 'nvme0', rw: 'randread', bs: '64k', iodepth: 12, numjobs: 4 },
      { name: 's', device: 'sda', rw: 'randread', bs: '64k', iodepth: 2, numjobs: 1 },
    ],
    tuning: { waitMs: 1, chunkBytes: '1M' },
    policies,
  })

let shared: Promise<{ spec: SimSpec; result: SimResult }> | undefined
/** One run of every policy under pressure, shared by the tests that check entries against it. */
function everyPolicyUnderPressure(): Promise<{ spec: SimSpec; result: SimResult }> {
  shared ??= (async () => {
    const spec = pressure()
    return { spec, result: await runSpec(spec) }
  })()
  return shared
}

describe('the policy registry', () => {
  it('spells each policy once, gives it its own colour, and compares the five of DESIGN §8 by default', () => {
    const spellings = POLICIES.flatMap((p) => [p.name, ...p.aliases])
    expect(new Set(spellings).size).toBe(spellings.length)
    expect(POLICY_NAMES).toEqual(POLICIES.map((p) => p.name))
    expect(DEFAULT_POLICIES).toEqual(['fail', 'rfc', 'throttle', 'dynamic', 'hybrid'])
    expect(POLICY_NAMES).toContain('fair-share')
    const colors = POLICIES.map((p) => p.color)
    expect(new Set(colors).size).toBe(colors.length)
    for (const p of POLICIES) {
      expect(p.color).toMatch(/^#[0-9a-f]{6}$/)
      expect(p.summary.length).toBeGreaterThan(30)
      expect(p.name).toMatch(/^[a-z][a-z-]*$/) // a spec key, a --policies item and a table cell as is
    }
  })

  it('agrees with the options of each entry: grows with growth, queues with a throttle', () => {
    const pool = { size: 8 * MIB, areas: 4 }
    for (const p of POLICIES) {
      const options = policyOptions(p.name, pool, DEFAULT_TUNING, new VirtualClock())
      expect(options).toMatchObject({ size: 8 * MIB, areas: 4, backing: false })
      expect([p.name, options.growth !== undefined && options.growth !== false]).toEqual([p.name, p.grows])
      const dma = new Swiotlb(options)
      expect([p.name, dma.stats().throttle.mode !== 'off']).toEqual([p.name, p.queues])
      const threshold = p.threshold(DEFAULT_TUNING)
      if (threshold !== undefined) {
        expect(p.queues).toBe(true)
        expect(threshold).toBeGreaterThan(0)
        expect(threshold).toBeLessThanOrEqual(1)
      }
      dma.close()
    }
  })

  it('agrees with a run of each entry: queues, threshold, growth and the peak of all pools', async () => {
    const { result } = await everyPolicyUnderPressure()
    expect(Object.keys(result.policies)).toEqual(POLICY_NAMES)
    expect(result.policies.fail!.ioErrors).toBeGreaterThan(0) // it is pressure
    for (const p of POLICIES) {
      const r = result.policies[p.name]!
      const { timeline } = result.series[p.name]!
      const queued = Math.max(...timeline.waiting)
      expect([p.name, r.throttle.waits > 0, queued > 0]).toEqual([p.name, p.queues, p.queues])
      expect([p.name, timeline.thresholdBytes !== undefined]).toEqual([
        p.name,
        p.threshold(DEFAULT_TUNING) !== undefined,
      ])
      const grew = r.growth.grows + r.growth.transients > 0
      expect([p.name, grew]).toEqual([p.name, p.grows])
      // The peak follows every pool only where the definition says the policy grows: a growing policy
      // that the run did not follow would report its initial pool as its peak.
      if (p.grows) {
        expect(r.poolBytes.peak).toBeGreaterThanOrEqual(r.poolBytes.initial + r.poolBytes.grown)
        expect(r.poolBytes.peak).toBeGreaterThan(r.poolBytes.initial)
      } else {
        expect(r.poolBytes).toEqual({ initial: 2 * MIB, grown: 0, peak: 2 * MIB })
      }
    }
  })

  it('shows every entry in the comparison and the report, in its colour', async () => {
    const { spec, result } = await everyPolicyUnderPressure()
    const table = formatComparison(result, spec, undefined).split('\n')
    for (const name of POLICY_NAMES) {
      expect(table.filter((line) => line.startsWith(`${name} `))).toHaveLength(1 + spec.devices.length)
    }
    const model = buildReportModel(result, spec, undefined)
    expect(model.policies).toEqual(POLICIES.map((p) => ({ name: p.name, does: p.summary })))
    expect(model.usageCharts.map((c) => c.title)).toEqual(POLICY_NAMES)
    model.usageCharts.forEach((chart, i) => {
      const series = chart.option.series as Array<{ name: string; color: string }>
      expect(series.find((s) => s.name === 'used')!.color).toBe(POLICIES[i]!.color)
    })
    const queued = model.queueChart.option.series as Array<{ name: string; color: string }>
    const queueing = POLICIES.filter((p) => p.queues)
    // A line that coincides with another is named after both ("hybrid ≈ throttle"), its own name first.
    expect(queued.map((s) => [s.name.split(' ')[0], s.color])).toEqual(queueing.map((p) => [p.name, p.color]))
    expect(model.queueChart.caption).toMatch(
      /^Longest queue of blocking maps in each interval\. fail and dynamic never queue\./,
    )
  })
})

describe("'fair' is an alias of fair-share wherever a user names policies", () => {
  it('resolves in the registry, and nothing else does', () => {
    expect(findPolicy('fair')).toBe(findPolicy('fair-share'))
    expect(findPolicy('fair')!.name).toBe('fair-share')
    for (const name of ['Fair', 'fair_share', '__proto__', 'constructor', '', 42, undefined]) {
      expect(findPolicy(name)).toBeUndefined()
    }
    const clock = new VirtualClock()
    const pool = { size: 8 * MIB, areas: 4 }
    expect(policyOptions('fair', pool, DEFAULT_TUNING, clock)).toEqual(
      policyOptions('fair-share', pool, DEFAULT_TUNING, clock),
    )
  })

  it('in a spec file, which lists each policy once however it is spelled', () => {
    expect(pressure(['fail', 'fair']).policies).toEqual(['fail', 'fair-share'])
    const error = (() => {
      try {
        pressure(['fair-share', 'throttle', 'fair'])
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(SpecError)
    expect(error).toMatchObject({ code: 'ERR_SIM_SPEC', field: 'policies[2]' })
    expect((error as Error).message).toBe(
      'Expected `policies[2]` to be a policy not listed before, got "fair" (string)',
    )
    expect(() => resolvePolicies(['fail', 'fast'])).toThrow(
      'Expected `policies[1]` to be one of fail, rfc, rfc-wait, throttle, dynamic, hybrid, fair-share, got "fast" (string)',
    )
  })

  it('in runSpec, runPolicy and sizePool options: results are keyed by the one spelling', async () => {
    const spec = { ...pressure(['fail']), runtimeMs: 5 }
    const result = await runSpec(spec, { policies: ['fair'] })
    expect(Object.keys(result.policies)).toEqual(['fair-share'])
    const direct = await runPolicy(spec, 'fair-share', 1)
    expect(result.policies['fair-share']).toEqual(direct.result)
    expect((await runPolicy(spec, 'fair', 1)).result).toEqual(direct.result)
    await expect(runPolicy(spec, 'nope' as 'fair', 1)).rejects.toThrow(SpecError)
    // A spec built by hand may use the alias too.
    expect(Object.keys((await runSpec({ ...spec, policies: ['fair'] })).policies)).toEqual(['fair-share'])
    const sized = await sizePool(
      { ...spec, pool: { size: 8 * MIB, areas: 4 } },
      { policies: ['fair'], seeds: 1, jobs: 1 },
    )
    expect(Object.keys(sized.policies)).toEqual(['fair-share'])
  })

  it("in the CLI's --policies", async () => {
    const { io, out } = memoryIo()
    const args = ['simulate', 'snail-cheetah', '--json', '--policies', 'fair,fair-share,throttle']
    expect(await main(args, io)).toBe(0)
    expect(Object.keys(JSON.parse(out.stdout).policies)).toEqual(['fair-share', 'throttle'])
  })
})

describe('the device registry', () => {
  it('spells each kind once; each parses its own entry with its defaults', () => {
    const types = DEVICE_KINDS.map((k) => k.type)
    expect(new Set(types).size).toBe(types.length)
    for (const kind of DEVICE_KINDS) {
      const spec = kind.parse('devices[0]', { name: 'd', type: kind.type })
      expect(spec).toMatchObject({ name: 'd', type: kind.type })
      expect(() => kind.parse('devices[0]', { name: 'd', type: kind.type, speed: 1 })).toThrow(SpecError)
    }
    expect(() => parseSpec({ devices: [{ name: 'd', type: 'floppy' }], hogs: [{ bytes: '1M' }] })).toThrow(
      `Expected \`devices[0].type\` to be 'nvme', 'scsi' or 'nic', got "floppy"`,
    )
  })

  it('lets jobs submit only to kinds that take block I/O, and needs no job beside one that makes traffic', () => {
    for (const kind of DEVICE_KINDS) {
      const devices = [{ name: 'd', type: kind.type }]
      const withJob = () => parseSpec({ devices, jobs: [{ name: 'j', device: 'd', rw: 'read' }] })
      const alone = () => parseSpec({ devices })
      if (kind.blockIo) {
        expect(withJob().jobs[0]!.device).toBe('d')
        expect(alone).toThrow('Expected `jobs` to be at least one job (or a hog, or a device of type nic)')
      } else {
        expect(withJob).toThrow('jobs[0].device')
        expect(alone().devices).toEqual([kind.parse('devices[0]', devices[0]!)])
      }
    }
  })

  it("builds each kind's device in a run: every device reports under its kind", async () => {
    const { spec, result } = await everyPolicyUnderPressure()
    for (const r of Object.values(result.policies)) {
      expect(Object.entries(r.devices).map(([name, d]) => [name, d.kind])).toEqual(
        spec.devices.map((d) => [d.name, d.type]),
      )
      for (const d of Object.values(r.devices)) expect(d.ios + d.ioErrors).toBeGreaterThan(0)
    }
  })
})

// Adding a policy or a device kind touches its registry only: no other code compares against one
// (a `kind !== 'nic'` or `policy === 'dynamic'` elsewhere would need a second edit).
describe('nothing outside the registries names a policy or a device kind', () => {
  const src = join(import.meta.dirname, '..', '..', 'src')
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : []
    })
  const names = [...POLICIES.flatMap((p) => [p.name, ...p.aliases]), ...DEVICE_KINDS.map((k) => k.type)]
  const quoted = `'(?:${names.join('|')})'`
  const check = new RegExp(
    `[!=]==?\\s*${quoted}|${quoted}\\s*[!=]==?|case\\s+${quoted}|includes\\(${quoted}\\)`,
  )

  it('in src/sim, src/report and src/cli', () => {
    const offenders: string[] = []
    for (const top of ['sim', 'report', 'cli']) {
      for (const file of walk(join(src, top))) {
        const code = readFileSync(file, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\/\/.*$/gm, '')
        code.split('\n').forEach((line, i) => {
          if (check.test(line)) offenders.push(`${relative(src, file)}:${i + 1}: ${line.trim()}`)
        })
      }
    }
    expect(offenders).toEqual([])
  })
})

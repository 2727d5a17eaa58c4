import { describe, expect, it } from 'vitest'
import { parseSpec, runPolicy } from '../../src/sim/index.js'

const GIB = 1024 * 1024 * 1024
const MIB = 1024 * 1024

// Issue 17: "One vCPU running 16 jobs × depth 64 of 4 KiB against a fast device reports 4.19 M IOPS
// and 16.4 GiB/s bounced: impossible on any machine." The bounce copy and the submission and
// completion paths run on the issuing job's vCPU and take time there.
describe('vCPUs are a resource', () => {
  const oneVcpu = (vcpu: Record<string, unknown> = {}) =>
    parseSpec({
      name: 'one-vcpu',
      cpus: 1,
      pool: '256M',
      runtime: '20ms',
      vcpu,
      devices: [{ name: 'nvme0', type: 'nvme', bandwidth: '64G', latencyUs: 1, queueDepth: 4096 }],
      jobs: [{ name: 'j', rw: 'randread', bs: '4k', iodepth: 64, numjobs: 16 }],
      policies: ['fail'],
    })

  it('one vCPU cannot bounce more than its copy bandwidth', async () => {
    const { result } = await runPolicy(
      oneVcpu({ copyBandwidth: '1G', submitUs: 0, completeUs: 0 }),
      'fail',
      1,
    )
    // A read is copied twice: into the bounce buffer at map (the kernel copies whatever the
    // direction) and out of it at unmap. 1 GiB/s of copying moves at most 512 MiB/s of reads.
    const bouncedPerSecond = (2 * result.mibps * MIB) / GIB
    expect(bouncedPerSecond).toBeLessThanOrEqual(1.0001)
    expect(bouncedPerSecond).toBeGreaterThan(0.9)
  })

  it('caps IOPS at what submission and completion leave of the vCPU', async () => {
    const { result } = await runPolicy(
      oneVcpu({ copyBandwidth: '1T', submitUs: 2, completeUs: 3 }),
      'fail',
      1,
    )
    expect(result.iops).toBeLessThanOrEqual(200_000)
    expect(result.iops).toBeGreaterThan(180_000)
  })

  it('has cited defaults that already cap the one-vCPU case far below 4 M IOPS', async () => {
    const spec = oneVcpu()
    expect(spec.vcpu).toEqual({ copyBandwidth: 4 * GIB, submitUs: 2.5, completeUs: 3 })
    const { result } = await runPolicy(spec, 'fail', 1)
    // 5.5 µs of CPU and 8 KiB of copying per 4 KiB read: about 1 / 7.4 µs.
    expect(result.iops).toBeLessThan(140_000)
    expect(result.iops).toBeGreaterThan(120_000)
  })
})

// How small can the bounce pool be? sizePool runs a workload under each policy with K seeds at every
// pool size it tries (whole segments per area, as the kernel lays a pool out), finds the smallest size
// that is healthy in every seed (no I/O error, no stuck I/O, no failed import) and in the sizes just
// above it, and says how sure that is and what to put on the kernel command line. "Healthy" says
// nothing about speed, so it also reports MiB/s at that size against an unconstrained pool.
import { formatBytes } from 'dma-throttle'
import { type PolicyName, parseSpec, sizePool } from 'dma-throttle/sim'

// Describe your machine and workload as a spec (the same JSON `dma-throttle simulate spec.json` takes):
// an 8-vCPU CoCo VM with one NVMe drive, fio at iodepth 16 on 8 threads, plus a 10 GbE NIC.
const spec = parseSpec({
  name: 'my-vm',
  cpus: 8,
  pool: '8M',
  runtime: '200ms',
  devices: [
    { name: 'nvme0', type: 'nvme', latencyUs: 100, bandwidth: '2G' },
    { name: 'eth0', type: 'nic', pps: 50_000, packetBytes: 1500, batch: 32, queues: 4, ringSize: 256 },
  ],
  jobs: [{ name: 'db', device: 'nvme0', rw: 'randrw', bssplit: '16k/60:128k/40', iodepth: 16, numjobs: 8 }],
})

const policies: PolicyName[] = ['fail', 'throttle']
// 5 seeds keep this example quick; the CLI's default is 20 (`dma-throttle size my-vm.json`).
const sized = await sizePool(spec, { policies, seeds: 5, jobs: 1 })
console.log(`smallest healthy pool for '${sized.scenario}' (${sized.seeds.count} seeds per size):`)
for (const policy of policies) {
  const r = sized.policies[policy]
  if (r === undefined || r.minPoolBytes === null) {
    console.log(`  ${policy.padEnd(9)} none up to ${formatBytes(sized.limitBytes)}`)
    continue
  }
  console.log(
    `  ${policy.padEnd(9)} ${formatBytes(r.minPoolBytes).padStart(8)}: ${r.mibps} MiB/s ` +
      `(${r.throughputPct} % of an unconstrained pool), map wait p99 ${Math.round(r.mapWaitP99Us ?? 0)} µs`,
  )
  console.log(`  ${''.padEnd(9)} ${r.confidence}`)
  console.log(`  ${''.padEnd(9)} ${r.recommendation}`)
}

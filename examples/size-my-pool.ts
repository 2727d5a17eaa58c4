// How small can the bounce pool be? sizePool runs a workload under each policy and bisects the pool
// size down to the smallest one with no I/O error, no stuck I/O and no failed import. "Healthy" says
// nothing about speed, so it also reports what that size costs: MiB/s and p99 map wait at that size.
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

const policies: PolicyName[] = ['fail', 'rfc', 'throttle', 'hybrid']
const sized = await sizePool(spec, { policies, seed: 1 })
console.log(`smallest healthy pool for '${sized.scenario}' (seed 1), and how it runs at that size:`)
for (const policy of policies) {
  const r = sized.policies[policy]
  if (r === undefined || r.minPoolBytes === null) {
    console.log(`  ${policy.padEnd(9)} none up to 4 GiB`)
    continue
  }
  console.log(
    `  ${policy.padEnd(9)} ${formatBytes(r.minPoolBytes).padStart(8)}: ${r.mibps ?? 0} MiB/s, ` +
      `map wait p99 ${Math.round(r.mapWaitP99Us ?? 0)} µs, peak ${formatBytes(r.peakPoolBytes ?? 0)}`,
  )
}

import type { CliIo } from '../io.js'

export const HELP = `dma-throttle: how small can the swiotlb bounce pool be, under which policy, for this workload?

usage:
  dma-throttle simulate [scenario | spec.json | job.fio]   compare the policies (default: coco-fio)
  dma-throttle explain <job.fio | scenario | spec.json>     what the simulator understood (runs nothing)
  dma-throttle scenarios                                    list the scenarios and their claims
  dma-throttle size <scenario | spec.json | job.fio>        smallest pool per policy with no I/O errors
  dma-throttle simulate -- --name=a --rw=randread …         fio's command line after -- (also explain, size)

options:
  --json              machine-readable output (no progress bar)
  --seed N            seed of the random streams (default 1): same seed, same output
  --report out.html   simulate: also write a self-contained HTML report with charts
  --pool SIZE         override the pool size, e.g. 32M
  --policies a,b      compare only these policies (fail, rfc, throttle, dynamic, hybrid, fair)
  --output-format F   simulate: table (default), json, or fio-json (fio's own JSON, per policy)
  --runtime T         fio jobs: replace every job's runtime (10, 500ms, 2m)
  --strict            fio jobs: every notice (an option with no effect, an assumption) is an error
  -h, --help          this text

docs: docs/simulation.md
`

export async function help(io: CliIo): Promise<number> {
  io.stdout(HELP)
  return 0
}

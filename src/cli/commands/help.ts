import { POLICY_NAMES } from '../../sim/index.js'
import type { CliIo } from '../io.js'
import { MAX_POOL } from '../pool-limit.js'

export const HELP = `dma-throttle: how small can the swiotlb bounce pool be, under which policy, for this workload?

usage:
  dma-throttle simulate [scenario | spec file]   compare the policies (default: coco-fio)
  dma-throttle scenarios                         list the scenarios and their claims
  dma-throttle size <scenario | spec file>       smallest pool per policy with no I/O errors

A spec file is a JSON spec or a fio job file, whatever its name: JSON when it starts with '{'.

options:
  --json              machine-readable output (no progress bar)
  --seed N            seed of the random streams (default 1): same seed, same output
  --report out.html   simulate: also write a self-contained HTML report with charts
  --pool SIZE         override the pool size, e.g. 32M (at most ${MAX_POOL.label})
  --policies a,b      compare only these policies (${POLICY_NAMES.join(', ')})
  -h, --help          this text
  --version           the version of dma-throttle

docs: docs/simulation.md
`

export async function help(io: CliIo): Promise<number> {
  io.stdout(HELP)
  return 0
}

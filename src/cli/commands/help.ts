import { POLICY_NAMES } from '../../sim/index.js'
import type { CliIo } from '../io.js'
import { MAX_POOL } from '../pool-limit.js'

export const HELP = `dma-throttle: how small can the swiotlb bounce pool be, under which policy, for this workload?

usage:
  dma-throttle simulate [scenario | spec file]   compare the policies (default: coco-fio)
  dma-throttle scenarios                         list the scenarios and their claims
  dma-throttle size <scenario | spec file>       smallest pool per policy with no I/O errors
  dma-throttle replay <trace>                    replay a recorded trace against every policy
  dma-throttle size <trace>                      smallest pool per policy for a recorded trace

A spec file is a JSON spec or a fio job file, whatever its name: JSON when it starts with '{'.

options:
  --json              machine-readable output (no progress bar)
  --seed N            seed of the random streams (default 1): same seed, same output
  --report out.html   simulate: also write a self-contained HTML report with charts
  --pool SIZE         override the pool size, e.g. 32M (at most ${MAX_POOL.label})
  --policies a,b      compare only these policies (${POLICY_NAMES.join(', ')})
  --trace-out FILE    simulate: write the first policy's maps and unmaps as a trace
  --hold-ms N         replay: hold time of maps-only traces (ftrace swiotlb_bounced)
  --hold-from FILE    replay: take those hold times from a blkparse trace of the same run
  --may-block a,b     replay: devices whose maps may wait when the trace cannot say (all, none)
  --max-wait-ms N     size on a trace: a healthy pool also keeps every map's wait within N ms
  -h, --help          this text
  --version           the version of dma-throttle

A trace is a capture (tools/swiotlb-trace.bt), blkparse output or an ftrace buffer: docs/trace-format.md.

docs: docs/simulation.md
`

export async function help(io: CliIo): Promise<number> {
  io.stdout(HELP)
  return 0
}

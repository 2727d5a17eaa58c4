import { POLICY_NAMES } from '../../sim/index.js'
import type { CliIo } from '../io.js'
import { MAX_POOL } from '../pool-limit.js'

export const HELP = `dma-throttle: how small can the swiotlb bounce pool be, under which policy, for this workload?

usage:
  dma-throttle simulate [scenario | spec file]   compare the policies (default: coco-fio)
  dma-throttle explain <spec file | scenario>    what the simulator understood (runs nothing)
  dma-throttle scenarios                         list the scenarios and their claims
  dma-throttle size <scenario | spec file>       smallest pool per policy, K seeds per size, and swiotlb=
  dma-throttle sweep <scenario | spec file>…     policies × --pools × --seeds, one JSON Lines row per run
  dma-throttle merge <shard files…>              the shards of a sweep, as one run would print it
  dma-throttle hiwater <scenario | spec file>    sampled and per-area high-water marks against the exact one
  dma-throttle replay <trace>                    replay a recorded trace against every policy
  dma-throttle size <trace>                      the same answer for a recorded trace (one replay per size)
  dma-throttle hiwater <trace>                   the same marks for a recorded trace (over sampler phases)
  dma-throttle simulate -- --name=a --rw=randread …   fio's command line after -- (also explain, size, sweep, hiwater)

A spec file is a JSON spec or a fio job file, whatever its name: JSON when it starts with '{'.

options:
  --json              machine-readable output (no progress bar)
  --seed N            seed of the random streams (default 1): same seed, same output
  --report out.html   simulate, size, sweep, merge: also write a self-contained HTML report with charts
  --pool SIZE         override the pool size, e.g. 32M (at most ${MAX_POOL.label})
  --policies a,b      compare only these policies (${POLICY_NAMES.join(', ')})
  --seeds N           size, sweep, hiwater: seeds per size (default 20, 10, 5), from --seed on
  --jobs N            runs at once in worker threads (default: every core); the output never changes
  --min-throughput P  size: also need P % of the MiB/s of an unconstrained pool, in every seed
  --pools A,B,…       sweep: initial pool sizes, e.g. 32M,48M,64M (default: each spec's own)
  --shard i/n | auto  sweep: run the i-th of n slices (JSON Lines); auto reads JOB_COMPLETION_INDEX
                      (Kubernetes), SLURM_ARRAY_TASK_ID (SLURM) or PARALLEL_SEQ (GNU parallel)
  --areas A,B,…       hiwater: area counts (default powers of two up to 128)
  --intervals T,…     hiwater: sampling intervals in ms (default 0.1 … 1000)
  --trace-out FILE    simulate: write the first policy's maps and unmaps as a trace
  --hold-ms N         traces: the hold time of maps when the trace has none (ftrace swiotlb_bounced)
  --hold-from FILE    traces: take those hold times from a blkparse trace of the same run
  --may-block a,b     traces: devices whose maps may wait when the trace cannot say (all, none)
  --max-wait-ms N     replay, size on a trace: a map that waits N ms without its slots fails
  --output-format F   simulate: table (default), json, or fio-json (fio's own JSON, per policy)
  --runtime T         fio jobs: replace every job's runtime (10, 500ms, 2m)
  --strict            every notice (an option with no effect, an assumption) is an error
  -h, --help          this text; after a command (or help <command>): its own flags and an example
  --version           the version of dma-throttle

A trace is a capture (tools/swiotlb-trace.bt), blkparse output or an ftrace buffer: docs/trace-format.md.

docs: docs/simulation.md
`

export async function help(io: CliIo): Promise<number> {
  io.stdout(HELP)
  return 0
}

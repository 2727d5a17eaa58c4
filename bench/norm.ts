import { parseArgs } from 'node:util'
import { median, shiftPhase } from './harness.js'
import { batch, OPS, WORKLOADS } from './workloads.js'

/**
 * `npm run norm -- <workload> [--anchor p-limit] [--rounds 12] [--batches 4] [--tasks 10000] [--shift]`: a workload's speed as a
 * ratio to its anchor, taken round by round in one process (anchor time ÷ workload time, median over
 * rounds; order alternates each round).
 *
 * The reference machine's CPU speed moves by up to 5–7× within minutes (the same fixed loop measured
 * 240 ms and 1,670 ms a few minutes apart on an idle machine), so two processes run one after the other
 * (`npm run ab`) can disagree by 30 % on identical code. A ratio taken within one round cancels most of
 * that: run this once on each tree to compare a change (5 runs each gave 1.09–1.24 for the same code).
 *
 * `--shift` allocates a random amount of short-lived garbage (0–16 MiB, seeded) before every batch,
 * outside the timed span: the young generation's scavenges then fall at a random point of each batch
 * instead of locking onto its phase, which at a fixed batch size can favour either side by 2×
 * (docs/performance.md, "A benchmark artefact").
 */

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    anchor: { type: 'string', default: 'p-limit' },
    rounds: { type: 'string', default: '12' },
    batches: { type: 'string', default: '4' },
    tasks: { type: 'string', default: String(batch.tasks) },
    shift: { type: 'boolean', default: false },
  },
})
const name = positionals[0] ?? 'contended'
const anchor = values.anchor
for (const w of [name, anchor]) {
  if (WORKLOADS[w] === undefined)
    throw new RangeError(`Unknown workload ${w}; expected one of ${Object.keys(WORKLOADS).join(', ')}`)
}
const rounds = Number(values.rounds)
const batches = Number(values.batches)
if (!(Number.isInteger(rounds) && rounds >= 1))
  throw new RangeError(`Expected --rounds >= 1, got ${values.rounds}`)
if (!(Number.isInteger(batches) && batches >= 1))
  throw new RangeError(`Expected --batches >= 1, got ${values.batches}`)

const tasks = Number(values.tasks)
if (!(Number.isInteger(tasks) && tasks >= 1))
  throw new RangeError(`Expected --tasks >= 1, got ${values.tasks}`)
batch.tasks = tasks
const runs = [WORKLOADS[name]!(), WORKLOADS[anchor]!()] as const
const ops = [OPS[name] ?? tasks, OPS[anchor] ?? tasks] as const

/** CPU ns per operation of `batches` calls of workload `i` (with `--shift`, each after a phase shift). */
async function time(i: 0 | 1): Promise<number> {
  let used = 0
  for (let b = 0; b < batches; b++) {
    if (values.shift) shiftPhase()
    const start = process.cpuUsage()
    await runs[i]()
    const t = process.cpuUsage(start)
    used += t.user + t.system
  }
  return (used * 1000) / (batches * ops[i])
}

for (let i = 0; i < 5; i++) {
  await runs[0]()
  await runs[1]()
}
const own: number[] = []
const theirs: number[] = []
const ratios: number[] = []
for (let r = 0; r < rounds; r++) {
  const first: 0 | 1 = r % 2 === 0 ? 0 : 1
  const a = await time(first)
  const b = await time(first === 0 ? 1 : 0)
  const [x, y] = first === 0 ? [a, b] : [b, a]
  own.push(x)
  theirs.push(y)
  ratios.push(y / x)
}
console.log(
  `${name}: ${median(own).toFixed(0)} ns/op, ${anchor}: ${median(theirs).toFixed(0)} ns/op, ` +
    `median ratio ${anchor} ÷ ${name} ${median(ratios).toFixed(3)} (${rounds} rounds of ${batches} batches` +
    `${values.shift ? ', phase shifted' : ''})`,
)

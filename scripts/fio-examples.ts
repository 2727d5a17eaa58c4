// Measures how many of fio's own example job files the simulator accepts (issue 16):
//
//   git clone https://github.com/axboe/fio /tmp/fio   # not part of this project
//   FIO_BS=4096 FIO_RW=randread FIO_IODEPTH=1 npx tsx scripts/fio-examples.ts /tmp/fio/examples
//
// (the variables are the ones fio's sprandom and xnvme examples ask for in their comments). For every
// *.fio file it runs `dma-throttle explain --json`, and sorts the files by whether any job reads or
// writes storage with a block engine (a file to /dev/null does not). It prints one line per file and
// the counts; nothing is copied from the files.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { processIo } from '../src/cli/io.js'
import { main } from '../src/cli/main.js'
import { classifyEngine } from '../src/sim/workloads/fio/engines.js'
import { type FioEntry, readSections } from '../src/sim/workloads/fio/lexer.js'
import { FioLog } from '../src/sim/workloads/fio/problems.js'

const dir = process.argv[2]
if (dir === undefined) {
  console.error('usage: npx tsx scripts/fio-examples.ts <fio examples directory>')
  process.exit(2)
}

/** Whether any job of the file does block I/O: its engine reads or writes storage, not /dev/null. */
function blockIo(text: string, file: string): boolean {
  const sections = readSections(
    text,
    file,
    { env: process.env, keywords: { pagesize: 4096, ncpus: 16 } },
    new FioLog(),
  )
  let globals: FioEntry[] = []
  for (const s of sections) {
    if (s.global) {
      globals = [...globals, ...s.entries]
      continue
    }
    const all = [...globals, ...s.entries]
    const last = (key: string) => all.filter((e) => e.key === key).pop()?.value
    const engine = classifyEngine(last('ioengine') ?? 'psync', {
      ...(last('libblkio_driver') === undefined ? {} : { driver: last('libblkio_driver')! }),
      ...(last('xnvme_be') === undefined ? {} : { backend: last('xnvme_be')! }),
    })
    if (engine.storage === true && !/^\/dev\/(null|zero)$/.test(last('filename') ?? '')) return true
  }
  return false
}

const base = processIo()
const counts = { block: 0, accepted: 0, other: 0, otherAccepted: 0 }
const rejected: string[] = []
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.fio'))
  .sort()) {
  const path = join(dir, file)
  const block = blockIo(readFileSync(path, 'utf8'), file)
  let stdout = ''
  let stderr = ''
  const code = await main(['explain', path, '--json'], {
    ...base,
    isTTY: false,
    stdout: (t) => {
      stdout += t
    },
    stderr: (t) => {
      stderr += t
    },
  })
  const kind = block ? 'block I/O' : 'other'
  if (block) counts.block++
  else counts.other++
  if (code === 0) {
    if (block) counts.accepted++
    else counts.otherAccepted++
    const e = JSON.parse(stdout) as {
      phases: Array<{ jobs: Array<{ name: string; iodepth: number; timeBased: boolean }> }>
    }
    const jobs = e.phases.flatMap((p, i) =>
      p.jobs.map((j) => `${i + 1}:${j.name}@${j.iodepth}${j.timeBased ? 'T' : ''}`),
    )
    console.log(`accepted  ${kind.padEnd(9)}  ${file}  ${jobs.join(' ')}`)
  } else {
    if (block) rejected.push(`${file}: ${stderr.trim().replace(/^dma-throttle: /, '')}`)
    console.log(`rejected  ${kind.padEnd(9)}  ${file}  ${stderr.trim()}`)
  }
}
const percent = ((100 * counts.accepted) / counts.block).toFixed(1)
console.log(`\nblock I/O files: ${counts.accepted} of ${counts.block} accepted (${percent} %)`)
console.log(`other files: ${counts.otherAccepted} of ${counts.other} accepted`)
for (const r of rejected) console.log(`still rejected: ${r}`)

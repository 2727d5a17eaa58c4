// Runs every example in examples/ so that none rots. Each must exit 0.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const files = readdirSync(new URL('../examples/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .sort()
let failed = 0
for (const file of files) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `examples/${file}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  })
  if (r.status === 0) console.log(`ok   examples/${file}`)
  else {
    failed++
    console.log(`FAIL examples/${file} (exit ${r.status})\n${r.stdout}\n${r.stderr}`)
  }
}
console.log(`examples: ${files.length - failed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)

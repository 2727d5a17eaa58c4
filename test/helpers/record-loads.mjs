// `node --import ./test/helpers/record-loads.mjs`: appends the URL of every module that the process
// loads after it to the file named by $RECORD_LOADS, one per line. It registers itself as a module
// hook (node:module register); the hook runs on Node's loader thread, where it only records.
import { appendFileSync } from 'node:fs'
import { register } from 'node:module'
import { isMainThread } from 'node:worker_threads'

if (isMainThread) register(import.meta.url)

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.RECORD_LOADS, `${url}\n`)
  return nextLoad(url, context)
}

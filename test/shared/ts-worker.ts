import { Worker, type WorkerOptions } from 'node:worker_threads'

/**
 * A worker thread running a TypeScript module, under vitest as under `node --import tsx`: neither
 * passes its TypeScript loader to workers (a worker's `execArgv: ['--import', 'tsx']` is refused for
 * a .ts entry on Node 20), so the worker registers tsx itself before importing the module.
 */
export function tsWorker(url: URL, options: WorkerOptions = {}): Worker {
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}) })`
  return new Worker(code, { ...options, eval: true })
}

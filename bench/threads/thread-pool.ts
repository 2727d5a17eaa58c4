import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

/** The library the workers load: src/, or BENCH_SRC's copy (as bench/lib.ts picks it). */
const srcDir = process.env['BENCH_SRC']
const ext = srcDir !== undefined && !existsSync(resolve(srcDir, 'index.ts')) ? 'js' : 'ts'
const libUrl =
  srcDir === undefined
    ? new URL('../../src/index.ts', import.meta.url).href
    : pathToFileURL(resolve(srcDir, `index.${ext}`)).href

/**
 * Worker threads kept for the whole case (starting one costs a second of TypeScript loading here).
 * Node gives workers no TypeScript loader, so each registers tsx before loading worker.ts.
 */
export class ThreadPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(n: number): Promise<ThreadPool> {
    const url = new URL('./worker.ts', import.meta.url).href
    const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}) })`
    const workers = Array.from(
      { length: n },
      (_, index) => new Worker(code, { eval: true, workerData: { libUrl, index } }),
    )
    await Promise.all(workers.map((w) => reply(w)))
    return new ThreadPool(workers)
  }

  /** Sends a trial to the first `t` workers (each gets `make()`), and returns their replies. */
  run(t: number, make: () => unknown): Promise<unknown[]> {
    return Promise.all(
      this.workers.slice(0, t).map((w) => {
        const answer = reply(w)
        w.postMessage(make())
        return answer
      }),
    )
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise((resolve) => {
            w.once('exit', resolve)
            w.postMessage('exit')
          }),
      ),
    )
  }
}

function reply(w: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e)
    w.once('error', onError)
    w.once('message', (m) => {
      w.off('error', onError)
      resolve(m)
    })
  })
}

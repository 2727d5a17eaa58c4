// The worker entry when dma-throttle runs from its TypeScript sources (tsx, vitest): a worker thread
// starts with a plain Node loader, so it registers tsx before it loads worker.ts. An installed package
// runs dist/sim/parallel/worker.js directly and never loads this file.
import { register } from 'tsx/esm/api'

register()
const { default: runInWorker } = await import('./worker.ts')

export default runInWorker

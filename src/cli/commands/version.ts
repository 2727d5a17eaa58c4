import type { CliIo } from '../io.js'
import { packageVersion } from '../version.js'

/** `dma-throttle --version`: the package version alone, as `npm --version` prints it. */
export async function version(io: CliIo): Promise<number> {
  io.stdout(`${await packageVersion()}\n`)
  return 0
}

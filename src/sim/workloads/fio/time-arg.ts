import { SpecError } from '../../errors.js'
import { FioValueError } from './problems.js'
import { parseTimeUs } from './units.js'

/**
 * fio's time syntax for callers of `dma-throttle/sim` (what `--runtime` reads): µs from `'10'`,
 * `'500ms'`, `'2m'`; a plain number is seconds when `defaultSeconds` (runtime, startdelay) and µs
 * otherwise (thinktime). A bad value is a SpecError (ERR_SIM_SPEC) naming `text`, as every other
 * public function of the simulator reports one.
 */
export function parseFioTimeUs(text: string, defaultSeconds: boolean): number {
  if (typeof text !== 'string') throw new SpecError('text', "a time like '10', '200ms' or '1h'", text)
  if (typeof defaultSeconds !== 'boolean') throw new SpecError('defaultSeconds', 'a boolean', defaultSeconds)
  try {
    return parseTimeUs(text, defaultSeconds)
  } catch (error) {
    if (!(error instanceof FioValueError)) throw error
    throw new SpecError('text', error.message.replace(/^expected /, ''), text)
  }
}

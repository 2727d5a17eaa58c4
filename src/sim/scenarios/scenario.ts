/** A named spec from the kernel discussions, and the claim its run checks. */
export interface Scenario {
  name: string
  /** One line for `dma-throttle scenarios`. */
  summary: string
  /** The claim, as a sentence a result can confirm or refute. */
  claim: string
  /** Who made the claim, and where. */
  source: string
  /** The spec, as JSON input (parsed by parseSpec like any spec file). */
  spec: Record<string, unknown>
}

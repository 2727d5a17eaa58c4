import { type MapOptions, type Mapping, Swiotlb, type SwiotlbOptions, VirtualClock } from '../../src/index.js'

export const SLOT = 2048

/** A pool on virtual time with accounting only, and a log of what settles when. */
export function harness(options: Omit<SwiotlbOptions, 'clock' | 'backing'>) {
  const clock = new VirtualClock()
  const dma = new Swiotlb({ ...options, clock, backing: false })
  const log: string[] = []
  const held = new Map<string, Mapping>()
  /** Starts a blocking map of `slots` slots named `name`; logs `name@time` when admitted. */
  const request = (name: string, slots: number, extra: Omit<MapOptions, 'mayBlock'> = {}) => {
    const p = dma.map(slots * SLOT, { ...extra, mayBlock: true })
    p.then(
      (m) => {
        log.push(`${name}@${clock.now()}`)
        held.set(name, m)
      },
      (e: unknown) => log.push(`${name}:${(e as Error).name}@${clock.now()}`),
    )
    return p
  }
  const release = (name: string) => {
    const m = held.get(name)
    if (m === undefined) throw new Error(`${name} is not held`)
    held.delete(name)
    m.unmap()
  }
  /** Lets every pending promise callback run without moving time. */
  const settle = () => clock.advanceBy(0)
  return { clock, dma, log, held, request, release, settle }
}

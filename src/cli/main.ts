import { Swiotlb } from '../index.js'

/** Entry point of the `dma-throttle` command. Returns the exit code. */
export async function main(_argv: readonly string[]): Promise<number> {
  const dma = new Swiotlb({ size: '4M', areas: 2 })
  const mappings = []
  for (let i = 0; i < 8; i++) mappings.push(await dma.map(new Uint8Array(64 * 1024).fill(i), true))
  const irq = dma.tryMap(new Uint8Array(1500))
  console.log(JSON.stringify(dma.stats().throttle))
  for (const m of mappings) m.unmap()
  irq?.unmap()
  console.log(`used ${dma.stats().used} of ${dma.stats().nslabs} slots, hiwater ${dma.stats().hiwater}`)
  return 0
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2))
}

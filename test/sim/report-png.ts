import { inflateSync } from 'node:zlib'

/** A decoded screenshot: RGBA bytes, row by row. */
export interface Pixels {
  width: number
  height: number
  rgba: Uint8Array
}

/**
 * Decodes the PNG that Chromium's screenshots are (8-bit RGB or RGBA, not interlaced), per the PNG
 * specification (W3C, 2003): chunks, one zlib stream over the IDAT chunks, a filter byte per row.
 */
export function decodePng(png: Uint8Array): Pixels {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  let width = 0
  let height = 0
  let channels = 0
  const idat: Uint8Array[] = []
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at)
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8))
    const data = png.subarray(at + 8, at + 8 + length)
    if (type === 'IHDR') {
      width = view.getUint32(at + 8)
      height = view.getUint32(at + 12)
      const [depth, color, , , interlace] = data.subarray(8, 13)
      if (depth !== 8 || (color !== 2 && color !== 6) || interlace !== 0)
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${color}, interlace ${interlace}`)
      channels = color === 6 ? 4 : 3
    } else if (type === 'IDAT') idat.push(data)
    at += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const out = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[y * stride + i - channels]! : 0
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0
      const c = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels]! : 0
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]
      if (predictor === undefined) throw new Error(`unknown PNG filter ${filter}`)
      out[y * stride + i] = (row[i]! + predictor) & 0xff
    }
  }
  const rgba = new Uint8Array(width * height * 4)
  for (let p = 0; p < width * height; p++) {
    rgba.set(out.subarray(p * channels, p * channels + 3), p * 4)
    rgba[p * 4 + 3] = channels === 4 ? out[p * channels + 3]! : 255
  }
  return { width, height, rgba }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

/** '#c0392b' as [r, g, b]. */
export function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16)
  return [n >> 16, (n >> 8) & 0xff, n & 0xff]
}

/** Pixels in a rectangle within `tolerance` of a colour (per channel), and pixels that are not white. */
export function countPixels(
  image: Pixels,
  box: { x: number; y: number; width: number; height: number },
  color?: readonly [number, number, number],
  tolerance = 40,
): { matching: number; ink: number; total: number } {
  let matching = 0
  let ink = 0
  const x1 = Math.min(image.width, Math.round(box.x + box.width))
  const y1 = Math.min(image.height, Math.round(box.y + box.height))
  for (let y = Math.max(0, Math.round(box.y)); y < y1; y++) {
    for (let x = Math.max(0, Math.round(box.x)); x < x1; x++) {
      const i = (y * image.width + x) * 4
      const [r, g, b] = [image.rgba[i]!, image.rgba[i + 1]!, image.rgba[i + 2]!]
      if (r < 245 || g < 245 || b < 245) ink++
      if (
        color &&
        Math.abs(r - color[0]) <= tolerance &&
        Math.abs(g - color[1]) <= tolerance &&
        Math.abs(b - color[2]) <= tolerance
      )
        matching++
    }
  }
  return { matching, ink, total: (x1 - Math.round(box.x)) * (y1 - Math.round(box.y)) }
}

import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/sim/index.js'

/*
 * Known answers, computed outside this code base from the algorithms' published definitions, with this
 * Python 3 (arbitrary-precision integers masked to 32 bits, so nothing is shared with rng.ts):
 *
 *   M = 0xFFFFFFFF
 *   def splitmix32(s):  # Weyl step 0x9E3779B9, then MurmurHash3's fmix32 (Appleby, SMHasher)
 *       s = (s + 0x9E3779B9) & M; z = s
 *       z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M; z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M
 *       return s, z ^ (z >> 16)
 *   def sfc32(a, b, c, d):  # Doty-Humphrey's sfc32 (PractRand sfc.cpp): shifts 9 and 3, rotate 21
 *       t = (a + b + d) & M
 *       return (b ^ (b >> 9), (c + (c << 3)) & M, ((((c << 21) | (c >> 11)) & M) + t) & M, (d + 1) & M), t
 *   def outputs(seed, stream, n):  # Rng's seeding: a, b, c, d from splitmix32, then 12 discarded
 *       s = seed ^ (((stream + 1) * 0x9E3779B9) & M); st = []
 *       for _ in range(4): s, z = splitmix32(s); st.append(z)
 *       for _ in range(12 + n): st, t = sfc32(*st); yield t
 *   # (the last n of outputs(...) are the expected values)
 *
 * The fmix32 transcription was checked against MurmurHash3_x86_32("", seed 1) = 0x514E28B7.
 */
const KNOWN: readonly { seed: number; stream: number; u32: readonly number[] }[] = [
  { seed: 1, stream: 0, u32: [0x25e333e2, 0x473b1f39, 0x7c52de97, 0x9dde633d, 0xcce9dd61, 0x7ea8474a] },
  { seed: 42, stream: 1, u32: [0x68b7d163, 0x16970d4d, 0x71860450, 0x122b2cb8, 0x68d94159, 0xcb03aec1] },
  {
    seed: 0xdeadbeef,
    stream: 7,
    u32: [0x7e5ef4c6, 0x6c8f8f93, 0xb16aa286, 0xe443bd1a, 0xcc1f935a, 0xa5fae3dd],
  },
]

describe('Rng known answers (sfc32 seeded through splitmix32)', () => {
  for (const { seed, stream, u32 } of KNOWN) {
    it(`seed ${seed}, stream ${stream}: next() is the sfc32 output / 2^32`, () => {
      const rng = new Rng(seed, stream)
      expect(u32.map(() => rng.next())).toEqual(u32.map((x) => x / 2 ** 32))
    })
  }

  it('below(n) and uniform(lo, hi) scale the same outputs', () => {
    const [first, second] = KNOWN[0]!.u32
    const rng = new Rng(1)
    expect(rng.below(1000)).toBe(Math.floor((first! / 2 ** 32) * 1000))
    expect(rng.uniform(10, 20)).toBe(10 + 10 * (second! / 2 ** 32))
  })
})

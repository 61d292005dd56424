import { describe, expect, it } from 'vitest'
import {
  candidateProbability,
  createBandKeys,
  DEFAULT_LSH,
  mix32,
} from '../../src/stories/minhash.js'
import { createSimdSignature, MAX_SIMD_HASHES } from '../../src/stories/minhash-simd.js'
import { keysOf } from '../../src/stories/text.js'

const words = (n: number, prefix: string): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`)

describe('createBandKeys', () => {
  const bandKeys = createBandKeys()

  it('gives one key per band, the same in every run, and none for an empty set', () => {
    const keys = bandKeys(keysOf(['torkham', 'reopen', 'trade']))
    expect(keys).toHaveLength(DEFAULT_LSH.bands)
    expect(createBandKeys()(keysOf(['torkham', 'reopen', 'trade']))).toEqual(keys)
    expect(bandKeys(new Uint32Array(0))).toHaveLength(0)
    // Into a given array: the same keys, in it.
    const into = new Uint32Array(DEFAULT_LSH.bands)
    const features = keysOf(['torkham', 'reopen', 'trade'])
    expect(bandKeys(features, features.length, into)).toBe(into)
    expect(into).toEqual(keys)
  })

  it('reads only the first `length` features when told, with and without SIMD', () => {
    const all = keysOf(words(30, 'k'))
    for (const keys of [bandKeys, createBandKeys(DEFAULT_LSH, false)]) {
      for (const n of [1, 7, 29]) expect(keys(all, n)).toEqual(keys(all.slice(0, n)))
      expect(keys(all, 0)).toHaveLength(0)
    }
  })

  it('shares every band between equal sets and almost none between disjoint ones', () => {
    const a = bandKeys(keysOf(words(20, 'a')))
    const same = bandKeys(keysOf(words(20, 'a').reverse()))
    const other = bandKeys(keysOf(words(20, 'b')))
    expect(same).toEqual(a)
    expect(a.filter((k, i) => other[i] === k).length).toBeLessThanOrEqual(1)
  })

  it('makes similar sets share a band about as often as 1 − (1 − s²)^bands says', () => {
    // 60 pairs at Jaccard 0.5 (20 shared of 40): candidates with probability ≈ 1.
    let shared = 0
    for (let p = 0; p < 60; p++) {
      const common = words(20, `c${p}-`)
      const a = bandKeys(keysOf([...common, ...words(10, `x${p}-`)]))
      const b = bandKeys(keysOf([...common, ...words(10, `y${p}-`)]))
      if (a.some((k, i) => b[i] === k)) shared++
    }
    expect(candidateProbability(0.5)).toBeGreaterThan(0.99)
    expect(shared).toBeGreaterThanOrEqual(58)
  })

  it('gives the keys of the MinHash formula as first written, for any set and shape', () => {
    // The signature as first written: per feature, per hash function, min of mix32(f ^ seed).
    const reference = (features: Uint32Array, { bands, rows }: { bands: number; rows: number }) => {
      const n = bands * rows
      const seeds = Array.from({ length: n }, (_, i) => mix32(0x9e3779b9 + i * 0x632be5ab))
      const sig = new Array<number>(n).fill(0xffffffff)
      for (const f of features)
        for (let i = 0; i < n; i++) sig[i] = Math.min(sig[i]!, mix32(f ^ seeds[i]!))
      return Uint32Array.from({ length: features.length === 0 ? 0 : bands }, (_, b) => {
        let k = mix32(b + 1)
        for (let r = 0; r < rows; r++) k = mix32(k ^ sig[b * rows + r]!)
        return k
      })
    }
    let seed = 5
    const next = () => {
      seed = (Math.imul(seed, 48271) + 11) % 2147483647
      return Math.abs(seed)
    }
    // Both the WebAssembly SIMD signature and the JavaScript loop; 300 × 2 hash functions are
    // more than the SIMD module holds (the loop computes them).
    const shapes = [
      DEFAULT_LSH,
      { bands: 7, rows: 3 },
      { bands: 1, rows: 0 },
      { bands: 300, rows: 2 },
    ]
    for (const simd of [true, false]) {
      for (const shape of shapes) {
        const keys = createBandKeys(shape, simd)
        for (let round = 0; round < 60; round++) {
          // Hashes across the whole uint32 range (high bit set or not), 0 and 2³² − 1 among them.
          const features = Uint32Array.from({ length: round % 25 }, (_, k) =>
            k === 0 ? 0 : k === 1 ? 0xffffffff : (next() * 2 + (next() & 1)) >>> 0,
          )
          expect(keys(features)).toEqual(reference(features, shape))
        }
        // More features than the SIMD module's first memory page holds (it grows), then few again.
        const many = Uint32Array.from({ length: 20_000 }, () => next() >>> 0)
        expect(keys(many)).toEqual(reference(many, shape))
        expect(keys(many.subarray(0, 3))).toEqual(reference(many.subarray(0, 3), shape))
      }
    }
  })

  it('computes the signature with WebAssembly SIMD where it compiles (Node 20 on x64 and arm64)', () => {
    const seeds = Uint32Array.from({ length: 80 }, (_, i) => mix32(i))
    const simd = createSimdSignature(seeds)
    expect(simd).toBeDefined()
    const sig = new Uint32Array(80)
    simd?.(Uint32Array.of(7, 0xffffffff, 0), sig)
    for (let i = 0; i < 80; i++) {
      const s = seeds[i]!
      expect(sig[i]).toBe(Math.min(mix32(7 ^ s), mix32(0xffffffff ^ s), mix32(s)))
    }
    expect(createSimdSignature(new Uint32Array(MAX_SIMD_HASHES + 1))).toBeUndefined()
  })

  it('puts everything in one bucket with zero rows (a scan, for measurements)', () => {
    const scan = createBandKeys({ bands: 1, rows: 0 })
    expect(scan(keysOf(['a']))).toEqual(scan(keysOf(['b'])))
  })
})

describe('candidateProbability', () => {
  it.each([
    [0.25, 0.9],
    [0.3, 0.97],
    [0.1, 0.3],
  ])('is 1 − (1 − %d²)^40 ≈ %d', (s, approx) => {
    expect(candidateProbability(s)).toBeCloseTo(1 - (1 - s * s) ** 40, 10)
    expect(Math.abs(candidateProbability(s) - approx)).toBeLessThan(0.05)
  })
})

describe('mix32', () => {
  it('is a permutation-like mixer: distinct outputs for distinct small inputs, in uint32 range', () => {
    const out = new Set(Array.from({ length: 1000 }, (_, i) => mix32(i)))
    expect(out.size).toBe(1000)
    for (const x of out) expect(x >>> 0).toBe(x)
  })
})

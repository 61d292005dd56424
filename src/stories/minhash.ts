/** MinHash signatures and LSH band keys over sets of 32-bit feature hashes (pure, deterministic). */
import { createSimdSignature } from './minhash-simd.js'

/** murmur3's 32-bit finaliser: a cheap, well-mixed permutation of uint32. */
export const mix32 = (x: number): number => {
  let h = x >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** How a signature is cut into LSH bands: `bands × rows` hash functions in all. */
export interface LshShape {
  bands: number
  rows: number
}

/**
 * Two sets with Jaccard similarity `s` share at least one band with probability
 * 1 − (1 − s^rows)^bands. With 40 bands of 2 rows: s = 0.25 → 0.92, 0.3 → 0.98, 0.1 → 0.33.
 * Candidates are verified exactly afterwards, so extra candidates cost time, never precision.
 */
export const DEFAULT_LSH: LshShape = { bands: 40, rows: 2 }

/** The probability that two sets with Jaccard similarity `s` become candidates. */
export const candidateProbability = (s: number, shape: LshShape = DEFAULT_LSH): number =>
  1 - (1 - s ** shape.rows) ** shape.bands

/** Seeds of the hash functions: fixed, so signatures are the same in every process. */
const seedsFor = (n: number): Uint32Array => {
  const seeds = new Uint32Array(n)
  for (let i = 0; i < n; i++) seeds[i] = mix32(0x9e3779b9 + i * 0x632be5ab)
  return seeds
}

/**
 * The LSH band keys of a set of feature hashes (the first `length` of `features`: all by default):
 * the MinHash signature (one minimum per hash function), each band's rows folded into one uint32.
 * An empty set has no keys. `into` (room for a key per band): where the keys are written and
 * what is returned, instead of a new array (a typed array made per item was most of this
 * function's time on the story index's thread).
 * @example bandKeys(Uint32Array.of(1, 2, 3)).length // 40
 */
export const createBandKeys = (
  shape: LshShape = DEFAULT_LSH,
  /** Whether the signature may be computed with WebAssembly SIMD (minhash-simd.ts); default true. */
  simd = true,
): ((features: Uint32Array, length?: number, into?: Uint32Array) => Uint32Array) => {
  const n = shape.bands * shape.rows
  const unsigned = seedsFor(n)
  const seeds = Int32Array.from(unsigned)
  const sig = new Uint32Array(n)
  /** Each band's fold starts from mix32(band + 1). */
  const starts = Uint32Array.from({ length: shape.bands }, (_, b) => mix32(b + 1))
  // Four hash functions per instruction where WebAssembly SIMD compiles: the same minima.
  const vectored = simd ? createSimdSignature(unsigned) : undefined
  return (features, length = features.length, into) => {
    if (length === 0) return new Uint32Array(0)
    if (vectored) vectored(features, sig, length)
    else {
      // One hash function at a time over every feature, its minimum kept in a local rather than
      // stored into the signature per hash (this runs for every item indexed: bands × rows ×
      // features hashes). mix32 inlined in 32-bit integers, compared with the sign bit flipped:
      // the unsigned order without a conversion to a double. The same minima as mix32's (a test
      // holds it to the formula as first written).
      const m = length
      const f = new Int32Array(features.buffer, features.byteOffset, m)
      for (let i = 0; i < n; i++) {
        const seed = seeds[i]!
        let min = 0x7fffffff
        for (let j = 0; j < m; j++) {
          let h = f[j]! ^ seed
          h ^= h >>> 16
          h = Math.imul(h, 0x85ebca6b)
          h ^= h >>> 13
          h = Math.imul(h, 0xc2b2ae35)
          h ^= h >>> 16
          h ^= 0x80000000
          if (h < min) min = h
        }
        sig[i] = min ^ 0x80000000
      }
    }
    const keys = into ?? new Uint32Array(shape.bands)
    for (let b = 0; b < shape.bands; b++) {
      let k = starts[b]!
      for (let r = 0; r < shape.rows; r++) k = mix32(k ^ sig[b * shape.rows + r]!)
      keys[b] = k
    }
    return keys
  }
}

import { describe, expect, it } from 'vitest'
import {
  candidateProbability,
  createBandKeys,
  DEFAULT_LSH,
  mix32,
} from '../../src/stories/minhash.js'
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

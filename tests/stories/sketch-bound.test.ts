import { describe, expect, it } from 'vitest'
import { createSketchBound } from '../../src/stories/sketch-bound.js'
import { keysOf, SKETCH_WORDS, sketchWeight, writeSketch } from '../../src/stories/text.js'
import { seeded } from '../helpers/random.js'

describe('createSketchBound', () => {
  it('gives sketchWeight of the loaded keys against every sketch, arrival after arrival', () => {
    const next = seeded(21)
    const keys = (n: number) => keysOf(Array.from({ length: n }, () => `w${next() % 2_000}`))
    const bound = createSketchBound()
    const sketches = new Int32Array(SKETCH_WORDS * 40)
    let turnedDown = 0
    for (let arrival = 0; arrival < 60; arrival++) {
      // A long arrival, then a short one: bits the last arrival set must not linger.
      const a = keys(arrival % 2 === 0 ? 60 : 3 + (next() % 10))
      const squares = Float64Array.from(a, () => (next() % 1_000) / 100)
      bound.load(a, squares)
      for (let s = 0; s < 40; s++) {
        // Half the candidates share some of the arrival's keys, half are other texts.
        const other = s % 2 === 0 ? a.filter(() => next() % 3 === 0) : keys(5 + (next() % 50))
        writeSketch(other, sketches, s * SKETCH_WORDS)
        for (const minHits of [0, 2, 5]) {
          const want = sketchWeight(sketches, s * SKETCH_WORDS, a, squares, minHits)
          const got = bound.of(sketches, s * SKETCH_WORDS, minHits)
          if (want === -1) {
            expect(got).toBe(-1)
            turnedDown++
          } else expect(got).toBeCloseTo(want, 9)
        }
      }
    }
    // Both outcomes were exercised.
    expect(turnedDown).toBeGreaterThan(100)
    expect(turnedDown).toBeLessThan(60 * 40 * 3 - 100)
  })

  it('is 0 against an empty sketch and -1 when hits are required', () => {
    const bound = createSketchBound()
    const a = keysOf(['torkham', 'border', 'trade'])
    bound.load(a, Float64Array.of(1, 2, 3))
    const empty = new Int32Array(SKETCH_WORDS)
    expect(bound.of(empty, 0, 0)).toBe(0)
    expect(bound.of(empty, 0, 1)).toBe(-1)
    const same = new Int32Array(SKETCH_WORDS)
    writeSketch(a, same)
    expect(bound.of(same, 0, 3)).toBe(6)
  })
})

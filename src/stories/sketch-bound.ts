/** SketchBound: text.ts's sketchWeight of one arrival against many candidates' sketches, a 32-bit word at a time. */
import { SKETCH_WORDS, writeSketch } from './text.js'

/** Bits of a sketch (see text.ts writeSketch). */
const SKETCH_BITS = SKETCH_WORDS * 32

/**
 * The sketch bound of one arrival's keys, loaded once and asked of each candidate. sketchWeight
 * reads every key of the arrival per candidate; the sum it gives is the squared weights filed under
 * the sketch bits the two share, so it is the same sum taken over the AND of the two sketches
 * (a few bits set: most pairs share a handful of the 512 bits) with each bit's squares added up
 * beforehand.
 */
export interface SketchBound {
  /** Takes an arrival's sorted keys and the squared weight of each (replacing the last arrival's). */
  load(keys: Uint32Array, squares: Float64Array): void
  /**
   * sketchWeight(sketch, at, keys, squares, minHits) of the loaded keys: -1 when fewer than
   * `minHits` of them hit, else the sum, added in another order (it may differ from
   * sketchWeight's in the last bits: compare it with a margin).
   */
  of(sketch: Int32Array, at: number, minHits: number): number
}

/**
 * Creates an empty bound (its tables are reused by every arrival).
 * @example
 * const bound = createSketchBound()
 * bound.load(keys, squares)
 * bound.of(columns.sketch, slot * SKETCH_WORDS, 2) // ≥ the dot product with that slot's keys
 */
export const createSketchBound = (): SketchBound => {
  const own = new Int32Array(SKETCH_WORDS)
  /** Per sketch bit: the squared weights of the loaded keys filed under it, and how many keys. */
  const weight = new Float64Array(SKETCH_BITS)
  const count = new Int32Array(SKETCH_BITS)
  return {
    load(keys, squares) {
      // Only the bits the last arrival set are non-zero: cleared through its sketch.
      for (let w = 0; w < SKETCH_WORDS; w++) {
        for (let x = own[w]!; x !== 0; x &= x - 1) {
          const b = (w << 5) | (31 - Math.clz32(x & -x))
          weight[b] = 0
          count[b] = 0
        }
      }
      writeSketch(keys, own)
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!
        // The bit writeSketch sets for k: word (k >>> 5) mod SKETCH_WORDS, bit k mod 32.
        const b = (((k >>> 5) & (SKETCH_WORDS - 1)) << 5) | (k & 31)
        weight[b]! += squares[i]!
        count[b]!++
      }
    },
    of(sketch, at, minHits) {
      let n = 0
      let sum = 0
      for (let w = 0; w < SKETCH_WORDS; w++) {
        for (let x = own[w]! & sketch[at + w]!; x !== 0; x &= x - 1) {
          const b = (w << 5) | (31 - Math.clz32(x & -x))
          n += count[b]!
          sum += weight[b]!
        }
      }
      return n < minHits ? -1 : sum
    },
  }
}

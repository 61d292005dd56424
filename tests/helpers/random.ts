/** A seeded pseudo-random source for property tests: the same seed, the same cases. */

/**
 * Returns a function giving whole numbers in [0, 2^16): the high bits of a linear congruential
 * generator (its low bits repeat with short periods).
 * @example const next = seeded(7); next() % 100
 */
export const seeded = (seed: number): (() => number) => {
  let x = seed >>> 0
  return () => {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0
    return x >>> 16
  }
}

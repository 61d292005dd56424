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

/**
 * Returns a function giving whole numbers in [0, n) from {@link seeded}: the same seed, the same cases.
 * @example const below = belowOf(7); below(10) // 0…9
 */
export const belowOf = (seed: number): ((n: number) => number) => {
  const random = seeded(seed)
  return (n: number) => random() % n
}

/**
 * A deterministic generator (mulberry32) of numbers in [0, 1): the same seed, the same sequence.
 * @example const rnd = mulberry32(10); rnd() // 0.…
 */
export const mulberry32 =
  (seed: number): (() => number) =>
  () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

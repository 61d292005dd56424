// Plain JavaScript: bin/topicwire.js loads it before anything else, from dist/ or from src/.
/**
 * A cap on the main thread's young generation, set from inside the process (`fetch --once`).
 *
 * V8 sizes the young generation by itself: it starts small and doubles after scavenges that keep
 * much of it, up to 2 × 16 MB on the main thread. A first import keeps its heap growing (stored
 * items, the story index), so the main thread's young generation reached 32 MB within a second and
 * stayed there, most of it unused between scavenges: ~25 MB of the peak RSS that `npm run bench
 * peers` measures. `--max-semi-space-size` would cap it, but only as a flag given to node at its
 * start. `--semi-space-growth-factor` however is read each time V8 grows the young generation, so
 * it can be switched as the young generation's size changes: 2 (V8's default) while one doubling
 * stays within the cap, 1 (no growth) once it would not. V8 may still shrink it (after a full
 * collection), and it may grow again up to the cap. The switch runs after a collection's
 * notification, between tasks: where the thread runs long without a break (start-up, the final
 * flush) growth is stopped outright instead.
 *
 * The flags are the process's, not the thread's: an analysis worker started later would stay at
 * its first, smallest size (the factor is 1 by then) and scavenge twice as often as with its own
 * limit. `--min-semi-space-size`, read when a worker's heap is made, starts it larger (it also
 * lifts the main thread's young generation to 12 MB once). Measured on the 1,000 feeds of
 * `npm run bench peers` (2 cores, quiet, two alternating pairs): the main thread's young
 * generation ends at 16 MB instead of 32, peak RSS 331 / 332 MB → 294 / 295 MB, CPU 25.7 / 25.2 s
 * → 24.6 / 25.4 s, wall 14.8 / 14.6 s → 14.4 / 14.8 s. A minimum of 7 MB or more lifted the main
 * thread's young generation to 32 MB again (peak 326 MB).
 */
import { PerformanceObserver } from 'node:perf_hooks'
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'

/** Both semi-spaces of the main thread's young generation, at most (MB). */
const MAIN_YOUNG_MB = 8
/**
 * `--min-semi-space-size` for workers created afterwards: with Node 20's V8 a worker's young
 * generation then starts at 6 MB (both semi-spaces) instead of 2, within its resourceLimits.
 */
const WORKER_MIN_SEMI_MB = 6

/** @returns {number} the young generation's size now (MB) */
const youngMb = () => {
  for (const s of getHeapSpaceStatistics()) {
    if (s.space_name === 'new_space') return s.space_size / 1_048_576
  }
  return 0
}

// bin/topicwire.js loads this file as it is and the bundle has a copy of it: no state but the
// observer, which only the command's copy makes.
/** @type {PerformanceObserver | undefined} */
let observer

/** @param {number} factor V8's growth factor from now on */
const setFactor = (factor) => setFlagsFromString(`--semi-space-growth-factor=${factor}`)

/**
 * Stops the young generation growing from now on (and stops {@link growYoungGenerationTo}), and
 * lets workers made afterwards start at `workerMinSemiMb`. bin/topicwire.js calls it first thing
 * for `fetch --once`: start-up runs long synchronous stretches (loading modules, reading a
 * configuration of 1,000 sources) in which V8 grew it from 2 to 32 MB before any notification of
 * a collection could run; the command calls it again before its final flush, for the same reason.
 * @param {number} [workerMinSemiMb]
 * @example holdYoungGeneration() // … start-up … growYoungGenerationTo(8) // … polls … holdYoungGeneration()
 */
export const holdYoungGeneration = (workerMinSemiMb = WORKER_MIN_SEMI_MB) => {
  observer?.disconnect()
  observer = undefined
  setFlagsFromString(`--min-semi-space-size=${workerMinSemiMb}`)
  setFactor(1)
}

/**
 * Lets the young generation grow again, up to `capMb`: V8's factor 2 while one doubling stays
 * within it, 1 once it would not, switched after each collection. The notification runs between
 * tasks, so this holds only where no long synchronous stretch lets two scavenges pass unseen (a
 * poll cycle's many awaits), hence {@link holdYoungGeneration} around it.
 * @param {number} [capMb]
 */
export const growYoungGenerationTo = (capMb = MAIN_YOUNG_MB) => {
  const apply = () => setFactor(youngMb() * 2 <= capMb ? 2 : 1)
  observer?.disconnect()
  observer = new PerformanceObserver(apply)
  observer.observe({ entryTypes: ['gc'] })
  apply()
}

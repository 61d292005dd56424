// A cap on the main thread's young generation, set from inside the process (`fetch --once`).
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
 * collection), and it may grow again up to the cap.
 *
 * The flags are the process's, not the thread's: an analysis worker started later would stay at
 * its first, smallest size (the factor is 1 by then) and scavenge twice as often as with its own
 * limit. `--min-semi-space-size`, read when a worker's heap is made, starts it larger. Measured on the 1,000 feeds of `npm run bench peers` (2 cores):
 * peak RSS 324–331 MB → 294–298 MB, the same CPU within noise (the main thread scavenges ~290
 * times instead of ~145, the worker ~890 times against ~670 at its own limit and ~1,350 without
 * the minimum). A minimum of 7 MB or more also raised the main thread's young generation past the
 * cap (peak 326 MB).
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

/**
 * Keeps this thread's young generation at most `capMb` from now on (see the module comment) and
 * lets workers made afterwards start at `workerMinSemiMb`. Call it first thing (bin/topicwire.js
 * does): the young generation grows while the command's modules load and its configuration is
 * read, when the switch below runs late (it runs between tasks).
 * @param {number} [capMb]
 * @param {number} [workerMinSemiMb]
 * @returns {() => void} stops it (V8's defaults again)
 * @example const stop = capYoungGeneration() // … a one-shot import … stop()
 */
export const capYoungGeneration = (capMb = MAIN_YOUNG_MB, workerMinSemiMb = WORKER_MIN_SEMI_MB) => {
  setFlagsFromString(`--min-semi-space-size=${workerMinSemiMb}`)
  let factor = 2
  const apply = () => {
    const want = youngMb() * 2 <= capMb ? 2 : 1
    if (want === factor) return
    factor = want
    setFlagsFromString(`--semi-space-growth-factor=${want}`)
  }
  // Told after each collection (asynchronously): the switch comes before the next growth as long
  // as two scavenges do not follow each other before this thread runs the callback.
  const observer = new PerformanceObserver(apply)
  observer.observe({ entryTypes: ['gc'] })
  apply()
  return () => {
    observer.disconnect()
    setFlagsFromString('--semi-space-growth-factor=2')
    setFlagsFromString('--min-semi-space-size=0')
  }
}

/**
 * How far V8 lets the old generation grow past what a full collection left (`fetch --once`).
 *
 * By default V8 about doubles it: a first import, whose heap only grows (stored items, the story
 * index) while every poll leaves garbage behind, peaked with ~100 MB of that garbage. At 1.3× the
 * peak was ~90 MB lower, but a small heap then has little room: a first import of 1,000 feeds ran
 * 26 full collections on the main thread, one every 0.2–0.5 s, most of them while the heap was
 * still far below its peak (9, 16, 21 MB…). So the room is also at least `slackMb`: 3× a heap of
 * 10 MB, and 1.3× as before once the heap passes `slackMb / 0.3` (67 MB at 20 MB), where the peak
 * of memory is. On `npm run bench peers`' 1,000 feeds (2 cores): 16 full collections on the main
 * thread instead of 26; eight alternating pairs against 1.3× alone, CPU 0.83–1.15× (median 0.98×),
 * wall median 0.975×, peak RSS 277–293 MB against 275–282. A room of 25 MB or more raised the peak
 * (282–294 MB); a fixed 100% gave ~0.93× the CPU and 316–319 MB.
 *
 * V8 reads `--heap-growing-percent` each time a full collection sets the next limit; the rule is
 * applied after each one (a notification, between tasks), so it acts from the next one on, with
 * the heap the one before left: a heap that grows fast gets a little more room than `slackMb`.
 */
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks'
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'

/** The growth allowed (percent) for an old generation of `usedBytes`: `floorPercent`, or `slackMb` if more, at most 300. */
export const growingPercent = (usedBytes: number, floorPercent: number, slackMb: number): number =>
  Math.max(
    floorPercent,
    Math.min(300, Math.ceil((100 * slackMb * 1_048_576) / Math.max(usedBytes, 1_048_576))),
  )

/** Bytes in the heap's spaces other than the young generation (what full collections look after). */
const oldGenerationBytes = (): number => {
  let used = 0
  for (const s of getHeapSpaceStatistics())
    if (s.space_name !== 'new_space') used += s.space_used_size
  return used
}

/**
 * Sets V8's old-generation growth to {@link growingPercent} of the heap now, and again after
 * every full collection, until the returned function is called (the flag is the process's: a
 * worker's heap follows it too, and its small heap stays well under `slackMb`).
 * @example const stop = growOldGeneration({ floorPercent: 30, slackMb: 20 }) // … polls, flush … stop()
 */
export const growOldGeneration = (opts: {
  floorPercent: number
  slackMb: number
}): (() => void) => {
  let last = -1
  const apply = (): void => {
    const percent = growingPercent(oldGenerationBytes(), opts.floorPercent, opts.slackMb)
    if (percent === last) return
    last = percent
    setFlagsFromString(`--heap-growing-percent=${percent}`)
  }
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const { detail } = e as PerformanceEntry & { detail?: { kind?: number } }
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        apply()
        return
      }
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  apply()
  return () => observer.disconnect()
}

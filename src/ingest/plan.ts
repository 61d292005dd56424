/** Pure poll planning: when to poll a source next (interval or cron, jitter, backoff, server hints). */
import type { PollOutcome } from '../model/types.js'
import { nextCronTime, parseEvery, scheduleInterval } from '../util/every.js'

export interface PlanInput {
  /** A duration (`15m`) or a cron expression (`*\/10 * * * *`, evaluated in UTC). */
  every: string
  now: Date
  /** [0, 1). */
  random: () => number
  outcome: PollOutcome
  /** Consecutive failures, counting this outcome when it is one. */
  failures: number
  retryAfterMs?: number
  cacheMaxAgeMs?: number
  /** RSS `<ttl>`, minutes. */
  ttlMinutes?: number
}

/** Backoff, Retry-After and cache hints never push a poll further than this. */
export const MAX_DELAY_MS = 24 * 60 * 60 * 1000
/** Jitter is ± this share of the delay… */
const JITTER_RATIO = 0.1
/** …and never more than this. */
const MAX_JITTER_MS = 5 * 60 * 1000

/**
 * When to poll next:
 * - ok / not-modified: `now + interval ± jitter` (cron: the next run, plus up to the jitter, never
 *   early); a cache max-age or `<ttl>` may lengthen it (up to 24 h) but never shortens it;
 * - error: `interval · 2^(failures−1) ± jitter`, at most 24 h;
 * - retry-later: at least Retry-After and at least the error backoff, at most 24 h, never early;
 * - gone: now + 24 h (the caller marks the source gone).
 * Jitter is up to 10 % of the delay, at most 5 minutes, drawn from `random`, so sources spread out.
 */
export const nextPollAt = (input: PlanInput): Date => {
  const { now, random, every } = input
  const t = now.getTime()
  if (input.outcome === 'gone') return new Date(t + MAX_DELAY_MS)
  const schedule = parseEvery(every)
  const interval = scheduleInterval(schedule, now, every)
  const backoff = Math.min(
    interval * 2 ** Math.min(Math.max(input.failures, 1) - 1, 40),
    MAX_DELAY_MS,
  )
  if (input.outcome === 'error')
    return new Date(t + capDelay(backoff + signedJitter(backoff, random)))
  if (input.outcome === 'retry-later') {
    const delay = Math.min(Math.max(input.retryAfterMs ?? 0, backoff), MAX_DELAY_MS)
    return new Date(t + capDelay(delay + random() * jitterSpan(delay)))
  }
  // ok, not-modified: the schedule, lengthened by what the server says about freshness.
  const hint = Math.min(
    Math.max(input.cacheMaxAgeMs ?? 0, (input.ttlMinutes ?? 0) * 60_000),
    MAX_DELAY_MS,
  )
  if (schedule.kind === 'cron') {
    const run = nextCronTime(schedule.fields, new Date(t + hint), every).getTime()
    return new Date(run + random() * jitterSpan(interval))
  }
  return new Date(t + Math.max(interval + signedJitter(interval, random), hint))
}

// --- Internal helpers ---

const jitterSpan = (delay: number): number => Math.min(delay * JITTER_RATIO, MAX_JITTER_MS)

const signedJitter = (delay: number, random: () => number): number =>
  (random() * 2 - 1) * jitterSpan(delay)

/** Keeps a jittered delay under 24 h by reflecting the overshoot, so capped sources stay spread. */
const capDelay = (delay: number): number =>
  delay > MAX_DELAY_MS ? Math.max(0, 2 * MAX_DELAY_MS - delay) : delay

/** Pure SourceState transitions of one poll: success, failure, poll history, redirect confirmation, outage. */
import type { ErrorCode, PollRecord, SourceState } from '../model/types.js'

/** Polls kept in `SourceState.history` (oldest dropped first). */
export const HISTORY_MAX = 100

/**
 * How long the same permanent redirect (301/308) must be seen on consecutive polls before the new
 * URL becomes the one we poll. A day rides out a misconfigured server that is fixed the same day.
 */
export const REDIRECT_CONFIRM_MS = 24 * 60 * 60 * 1000

/** Appended to `lastError.message` when a failure was not counted because the network was down. */
export const OUTAGE_NOTE =
  'every source failed at once, so the network looks down: not counted against this source'

/** The state after an answer we could use (200 or 304): failures reset, error cleared. */
export const succeeded = (s: SourceState, status: number, now: Date): SourceState => ({
  ...s,
  lastSuccessAt: now.toISOString(),
  lastStatus: status,
  lastError: undefined,
  failures: 0,
  gone: undefined,
})

/** The state after a failure: the error recorded, one more consecutive failure. */
export const failed = (
  s: SourceState,
  code: ErrorCode,
  message: string,
  now: Date,
): SourceState => ({
  ...s,
  lastError: { code, message, at: now.toISOString() },
  failures: s.failures + 1,
})

/**
 * A transport failure during a network outage: the error is recorded (with {@link OUTAGE_NOTE}),
 * `failures` stays as it was, and the source is retried at `retryAt` with the rest of the set.
 */
export const outageFailure = (
  s: SourceState,
  code: ErrorCode,
  message: string,
  now: Date,
  retryAt: Date,
): SourceState => ({
  ...s,
  lastError: { code, message: `${message} (${OUTAGE_NOTE})`, at: now.toISOString() },
  nextPollAt: retryAt.toISOString(),
})

/** Appends one poll to the history, keeping the newest {@link HISTORY_MAX}. */
export const withHistory = (s: SourceState, record: PollRecord): SourceState => {
  // Spread, not slice: the stored history is frozen, and V8 (Node 20) slices and filters frozen
  // arrays on a slow path, ~40× the cost (over a microsecond for 30 records).
  const history = [...(s.history ?? []), record]
  if (history.length > HISTORY_MAX) history.splice(0, history.length - HISTORY_MAX)
  return { ...s, history }
}

/** Sets `changed` on the newest history record (known only after the store saved the items). */
export const withChangedCount = (s: SourceState, changed: number): SourceState => {
  const history = s.history ?? []
  const last = history.at(-1)
  if (!last) return s
  const next = [...history]
  next[next.length - 1] = { ...last, changed }
  return { ...s, history: next }
}

/**
 * Where to poll after a poll that reached a feed (200 or 304), given the permanent redirect it
 * followed (`seen`, undefined when there was none):
 * - no redirect: the stored URL stays and any pending redirect is forgotten;
 * - a new target: it becomes pending (`firstSeenAt` = now), the stored URL stays;
 * - the pending target again, `windowMs` or more after it was first seen: it is adopted;
 * - the pending target again, sooner: it stays pending.
 * A window of 0 adopts at once. Failed polls do not call this: they neither confirm nor refute.
 * @example confirmRedirect(prev, result.permanentRedirect, now)
 */
export const confirmRedirect = (
  prev: SourceState,
  seen: string | undefined,
  now: Date,
  windowMs: number = REDIRECT_CONFIRM_MS,
): Pick<SourceState, 'effectiveUrl' | 'pendingRedirect'> => {
  const effectiveUrl = prev.effectiveUrl
  if (seen === undefined) return { effectiveUrl, pendingRedirect: undefined }
  const pending = prev.pendingRedirect
  const since = pending?.url === seen ? Date.parse(pending.firstSeenAt) : Number.NaN
  const firstSeen = Number.isNaN(since) ? now.getTime() : since
  if (now.getTime() - firstSeen >= windowMs)
    return { effectiveUrl: seen, pendingRedirect: undefined }
  return {
    effectiveUrl,
    pendingRedirect: { url: seen, firstSeenAt: new Date(firstSeen).toISOString() },
  }
}
